//! (module templates: being written)
