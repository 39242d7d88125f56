//! (module schedule: being written)
