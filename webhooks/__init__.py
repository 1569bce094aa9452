"""Provider webhook endpoints: verify -> store the raw event once -> enqueue -> 2xx."""
