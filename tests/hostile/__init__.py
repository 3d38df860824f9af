"""The hostile suite: inputs from outside that must not stop, freeze or falsify a show."""
