//! (module docs: being written)
