//! (module xlsx_in: being written)
