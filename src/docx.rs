//! (module docx: being written)
