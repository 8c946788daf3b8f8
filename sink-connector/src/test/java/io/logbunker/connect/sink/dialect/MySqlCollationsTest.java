package io.logbunker.connect.sink.dialect;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MySqlCollationsTest {
    @Test
    void eachServerGetsItsOwnNoPadBinaryCollation() {
        assertEquals("utf8mb4_nopad_bin", MySqlCollations.forServer("10.11.19-MariaDB-0+deb12u1"));
        assertEquals("utf8mb4_nopad_bin", MySqlCollations.forServer("11.4.2-MariaDB-ubu2404"));
        assertEquals("utf8mb4_0900_bin", MySqlCollations.forServer("8.0.36"));
        assertEquals("utf8mb4_0900_bin", MySqlCollations.forServer("8.4.0-commercial"));
    }
}
