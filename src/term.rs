//! (module term: being written)
