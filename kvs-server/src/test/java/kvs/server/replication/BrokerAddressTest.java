package kvs.server.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BrokerAddressTest {

  @Test
  void plaintextSchemesAndBareHostsUse1883() {
    assertEquals(
        new BrokerAddress("localhost", 1883, false), BrokerAddress.parse("localhost:1883"));
    assertEquals(new BrokerAddress("h", 1883, false), BrokerAddress.parse("tcp://h"));
    assertEquals(new BrokerAddress("h", 1884, false), BrokerAddress.parse("mqtt://h:1884"));
  }

  @Test
  void tlsSchemesUse8883() {
    assertEquals(new BrokerAddress("h", 8883, true), BrokerAddress.parse("ssl://h"));
    assertEquals(new BrokerAddress("h", 9999, true), BrokerAddress.parse("mqtts://h:9999"));
    assertEquals("ssl://h:8883", BrokerAddress.parse("mqtts://h").toString());
  }

  @Test
  void otherSchemesAreRefusedWithTheOnesThatWork() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BrokerAddress.parse("ws://h:80"));
    assertEquals(
        "unsupported broker scheme 'ws' (use tcp://host:port, or ssl://host:port for TLS): ws://h:80",
        e.getMessage());
  }
}
