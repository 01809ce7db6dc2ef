"""The same seven scenarios on each framework, in each framework's own idiom (see bench/README.md)."""
