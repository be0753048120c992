//! C ABI over the crm engine. The exported functions arrive with the FFI issue; this crate
//! exists so the workspace has its final shape.
