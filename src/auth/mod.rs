//! Authentication with the CPS card: the PC/SC readers and their events
//! (`pcsc`), recognising a CPS card (`card`), and the session lock that closes
//! an account's network sessions when the card is taken out (`lock`).

pub mod card;
pub mod lock;
pub mod pcsc;
