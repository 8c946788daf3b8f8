INSERT INTO `seen` (`id`) VALUES (?) ON DUPLICATE KEY UPDATE `id` = `id`
