"""Pure rules of an AMA: no I/O, no clock, no hooks. Time and ids are passed in."""
