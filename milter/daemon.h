// daemon.h — process-wide state of the running milter: the policy in force,
// the count of messages in flight, reload and shutdown.
//
// The policy is swapped whole on reload; a message pins the policy it
// started with (a shared_ptr), so a reload never changes the rules under a
// message already being judged.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "contact_recorder.h"
#include "policy/policy.h"
#include "store_access.h"

namespace milter {

class Daemon {
public:
    Daemon(std::string policy_path, std::shared_ptr<const policy::Policy> initial);

    std::shared_ptr<const policy::Policy> policy() const;

    // Reads the policy file again; on any problem keeps the running policy
    // and logs every problem. Returns true when the new policy is in force.
    bool reload();

    // Brackets one message from MAIL FROM to its end; see MessageInFlight.
    void message_started();
    void message_finished();
    // Waits until no message is in flight or the grace period is over;
    // returns the number still in flight.
    int wait_for_messages(int grace_seconds);
    int messages_in_flight();

    // The store the policy in force names (store_access.h).
    StoreAccess& store() { return m_store; }
    // Where accepted messages' contacts are written (contact_recorder.h).
    ContactRecorder& contacts() { return m_contacts; }

    // From now on new connections and messages get a temporary failure.
    void start_draining() { m_draining = true; }
    bool draining() const { return m_draining; }

private:
    const std::string m_path;
    // Read by every callback, written by a reload: no lock on the read path.
    std::atomic<std::shared_ptr<const policy::Policy>> m_policy;

    std::mutex m_flight_mutex;
    std::condition_variable m_flight_done;
    int m_in_flight = 0;
    std::atomic<bool> m_draining{false};
    StoreAccess m_store;
    ContactRecorder m_contacts;
};

// The one Daemon of the process, reachable from libmilter's C callbacks.
Daemon& daemon_instance();
void set_daemon_instance(Daemon* daemon);

// RAII: counts a message as in flight for as long as it exists.
class MessageInFlight {
public:
    MessageInFlight() { daemon_instance().message_started(); }
    ~MessageInFlight() { daemon_instance().message_finished(); }
    MessageInFlight(const MessageInFlight&) = delete;
    MessageInFlight& operator=(const MessageInFlight&) = delete;
};

}  // namespace milter
