"""AWS mode's state machines: publishing versions behind a ``live`` alias, and their endpoint."""
