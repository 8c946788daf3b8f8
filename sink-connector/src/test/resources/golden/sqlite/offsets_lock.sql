SELECT next_offset FROM "logbunker_sink_offsets" WHERE connector_name = ? AND topic = ? AND kafka_partition = ?
