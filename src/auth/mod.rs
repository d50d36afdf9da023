//! Who is calling (JWT), and what they may do (policy).

pub mod claims;
pub mod jwt;
pub mod keys;
pub mod policy;
pub mod principal;

pub use principal::Principal;
