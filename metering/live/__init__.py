"""Live meter data: cumulative SML registers (MQTT or HTTP) turned into interval readings."""
