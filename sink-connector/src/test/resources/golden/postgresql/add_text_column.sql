ALTER TABLE "access_metrics" ADD COLUMN "referer" TEXT COLLATE "C" NULL
