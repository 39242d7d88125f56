//! The workbooks kyotei writes for people to fill in, built from the column table
//! ([`crate::model::sheet`]) as [`crate::writer::xlsx::Book`] specs: what `input` reads back.
//!
//! - [`blank`]: the blank register of `kyotei init`, with dropdowns, notes and an example
//!   agreement valid under the profile (the sample register is built with it too).

pub mod blank;
