"""Pages for everyone: start page, typed short code, privacy, log-in, errors."""
