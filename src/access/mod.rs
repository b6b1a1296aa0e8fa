//! Who can do what in an estate, evaluated offline from its own policies.

pub mod eval;
