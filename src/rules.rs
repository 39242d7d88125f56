//! (module rules: being written)
