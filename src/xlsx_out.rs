//! (module xlsx_out: being written)
