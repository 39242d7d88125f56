//! (module pdf: being written)
