INSERT INTO "seen" AS "__stored" ("id") VALUES (?) ON CONFLICT ("id") DO NOTHING
