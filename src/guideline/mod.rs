//! Stage 3, the guideline: its parameters as data ([`profile`]), the term and its renewals
//! ([`term`], section 5 and 8①), the profile's numbers in words ([`words`]) and the checks
//! that turn the register into findings ([`rules`], sections 3, 1(5), 5, 8 and the 附則).

pub mod profile;
pub mod rules;
pub mod term;
pub mod words;
