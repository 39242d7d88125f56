//! (module register: being written)
