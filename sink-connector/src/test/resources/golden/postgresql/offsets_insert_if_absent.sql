INSERT INTO "logbunker_sink_offsets" (connector_name, topic, kafka_partition, next_offset) VALUES (?, ?, ?, -1) ON CONFLICT DO NOTHING
