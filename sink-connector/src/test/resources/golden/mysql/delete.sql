DELETE FROM `access_metrics` WHERE `window_start` = ? AND `status` = ?
