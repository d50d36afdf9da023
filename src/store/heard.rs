//! What this replica knows of the database's revisions without asking: what its listener
//! heard (`store::listen`, PostgreSQL only) and what its own reads saw since.
//!
//! A revision counts as known only while the listener is connected, and only once a read
//! that began after this replica's last write has confirmed it: a write of this replica is
//! answered before its notification may have come back, and the writer's next read must see
//! the write. Another replica's write is known when its notification arrives (PostgreSQL sends
//! it at commit); until then this replica answers as of the revision before.

use std::sync::{Arc, Mutex, PoisonError, Weak};

use super::revisions::Subject;

#[derive(Clone, Default)]
pub struct Heard {
    inner: Arc<Mutex<State>>,
}

/// Taken before a read of the revisions: a write of this replica in between voids it.
#[derive(Debug, Clone, Copy)]
pub struct Ticket(u64);

#[derive(Default)]
struct State {
    listening: bool,
    /// Raised by every write of this replica and every change of the listener's connection.
    epoch: u64,
    /// The newest revision heard or read, per subject (`Subject::index`).
    newest: [i64; Subject::ALL.len()],
    /// Whether `newest` may be answered without asking the database.
    confirmed: [bool; Subject::ALL.len()],
}

impl Heard {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The revision of `subject` now, if it is known without asking.
    pub fn known(&self, subject: Subject) -> Option<i64> {
        let state = self.state();
        let i = subject.index();
        (state.listening && state.confirmed[i]).then_some(state.newest[i])
    }

    pub fn ticket(&self) -> Ticket {
        Ticket(self.state().epoch)
    }

    /// A read that began with `ticket` found `subject` at `revision`.
    pub fn read(&self, ticket: Ticket, subject: Subject, revision: i64) {
        let mut state = self.state();
        if state.listening && state.epoch == ticket.0 {
            let i = subject.index();
            state.newest[i] = state.newest[i].max(revision);
            state.confirmed[i] = true;
        }
    }

    /// A notification: `subject` was raised to `revision` by a commit.
    pub fn told(&self, subject: Subject, revision: i64) {
        let mut state = self.state();
        let i = subject.index();
        state.newest[i] = state.newest[i].max(revision);
    }

    /// This replica committed a write (or tried to): what it knows must be read again.
    pub fn wrote(&self) {
        let mut state = self.state();
        state.epoch += 1;
        state.confirmed = [false; Subject::ALL.len()];
    }

    /// The listener is connected and has read every revision after it began to listen, with
    /// `ticket` taken before that read: a write of this replica in between leaves them to be
    /// confirmed by the next read, as after any write.
    pub fn listening(&self, ticket: Ticket, revisions: &[(Subject, i64)]) {
        let mut state = self.state();
        let confirmed = state.epoch == ticket.0;
        state.epoch += 1;
        state.listening = true;
        state.newest = [0; Subject::ALL.len()];
        state.confirmed = [false; Subject::ALL.len()];
        for &(subject, revision) in revisions {
            state.newest[subject.index()] = revision;
            state.confirmed[subject.index()] = confirmed;
        }
    }

    /// The listener lost its connection: nothing is known until it is back.
    pub fn deaf(&self) {
        let mut state = self.state();
        state.epoch += 1;
        state.listening = false;
    }

    /// A handle that does not keep the replica alive, for the listener's thread.
    pub fn downgrade(&self) -> WeakHeard {
        WeakHeard(Arc::downgrade(&self.inner))
    }
}

/// [`Heard`] while the replica that owns it lives.
pub struct WeakHeard(Weak<Mutex<State>>);

impl WeakHeard {
    pub fn upgrade(&self) -> Option<Heard> {
        self.0.upgrade().map(|inner| Heard { inner })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Subject = Subject::Traeger;

    #[test]
    fn nothing_is_known_without_a_listener() {
        let heard = Heard::default();
        let ticket = heard.ticket();
        heard.read(ticket, T, 4);
        assert_eq!(heard.known(T), None);
    }

    #[test]
    fn what_the_listener_read_and_heard_is_known_until_it_goes_deaf() {
        let heard = Heard::default();
        heard.listening(heard.ticket(), &[(T, 4)]);
        assert_eq!(heard.known(T), Some(4));
        heard.told(T, 6);
        heard.told(T, 5);
        assert_eq!(heard.known(T), Some(6), "the newest counts, in any order");
        heard.deaf();
        assert_eq!(heard.known(T), None);
    }

    #[test]
    fn after_a_write_of_its_own_only_a_read_begun_later_confirms() {
        let heard = Heard::default();
        heard.listening(heard.ticket(), &[(T, 4)]);
        let before = heard.ticket();
        heard.wrote();
        assert_eq!(heard.known(T), None);
        heard.read(before, T, 4);
        assert_eq!(
            heard.known(T),
            None,
            "a read begun before the write may miss it"
        );
        heard.told(T, 5);
        assert_eq!(
            heard.known(T),
            None,
            "a notification alone does not confirm"
        );
        let after = heard.ticket();
        heard.read(after, T, 5);
        assert_eq!(heard.known(T), Some(5));
    }

    #[test]
    fn a_write_while_the_listener_reads_the_revisions_leaves_them_unconfirmed() {
        let heard = Heard::default();
        let ticket = heard.ticket();
        heard.wrote();
        heard.listening(ticket, &[(T, 4)]);
        assert_eq!(heard.known(T), None);
        heard.read(heard.ticket(), T, 5);
        assert_eq!(heard.known(T), Some(5));
    }
}
