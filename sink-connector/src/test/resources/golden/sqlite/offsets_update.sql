UPDATE "logbunker_sink_offsets" SET next_offset = ? WHERE connector_name = ? AND topic = ? AND kafka_partition = ?
