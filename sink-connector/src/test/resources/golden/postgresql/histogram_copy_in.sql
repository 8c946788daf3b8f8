COPY "access_metrics" ("window_start", "status", "requests", "request_time_histogram") FROM STDIN (FORMAT BINARY)
