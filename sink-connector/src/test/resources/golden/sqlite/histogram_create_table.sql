CREATE TABLE IF NOT EXISTS "access_metrics" ("window_start" TEXT NOT NULL, "status" TEXT NOT NULL, "requests" INTEGER NULL, "request_time_histogram" TEXT NULL, PRIMARY KEY ("window_start", "status"))
