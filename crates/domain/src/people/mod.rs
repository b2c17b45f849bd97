//! Households and residents: ID numbers, phones, sex, validation, and the register's import layout.

pub mod household;
pub mod id_number;
pub mod import;
pub mod limits;
pub mod phone;
pub mod resident;
pub mod sex;
