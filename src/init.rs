//! (module init: being written)
