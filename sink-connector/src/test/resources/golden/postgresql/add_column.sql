ALTER TABLE "access_metrics" ADD COLUMN "request_time_sum" DOUBLE PRECISION NULL
