"""Care events, visits, help requests and micro-wishes; one module per topic."""
