COPY "access_metrics" ("window_start", "status", "requests", "bytes_sent", "request_time_min", "request_time_max", "label") FROM STDIN (FORMAT BINARY)
