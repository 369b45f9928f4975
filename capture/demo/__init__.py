"""Demo data for `make run`: the demo forms, invented traffic, the demo e-book PDF."""
