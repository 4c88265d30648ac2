"""The whole year, simulated on embedded defaults: `arshjul demo`."""
