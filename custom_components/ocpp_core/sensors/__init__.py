"""What the sensor platform (sensor.py) is built from: the values its sensors read, and its limit and cost sensors."""
