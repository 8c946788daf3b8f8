ALTER TABLE `access_metrics` ADD COLUMN `referer` LONGTEXT NULL
