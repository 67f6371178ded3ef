// The gateway's durable record: an append-only log of records (the core's events and the gateway's own
// records: customer tokens, pickup-code failures) in SQLite (WAL mode, synchronous FULL), plus snapshots
// that make a restart fast. Appends are group-committed by one writer thread: every append waiting when a
// transaction starts goes into it, so one fsync acknowledges a whole batch. A caller learns that its records
// are durable only through its callback, which runs after the COMMIT has returned.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tower/result.hpp"

struct sqlite3;

namespace tower::gateway {

// One entry of the log. `kind` names what `body` (JSON text) is: "event" for a core event, or a gateway
// record kind. Sequence numbers are assigned by the store, from 1, without gaps.
struct Record {
  std::string kind;
  std::string body;
};

struct StoredRecord {
  std::uint64_t sequence = 0;
  Record record;
};

// What open() found: the newest snapshot (if any) and every record after it, in order.
struct Recovered {
  std::optional<std::string> snapshot;  // the body of the newest snapshot
  std::uint64_t snapshot_sequence = 0;  // the last record the snapshot includes (0: none)
  std::vector<StoredRecord> records;    // records with sequence > snapshot_sequence
};

// Figures for /metrics.
struct StoreStats {
  std::uint64_t commits = 0;            // transactions committed
  std::uint64_t records = 0;            // records committed
  std::uint64_t durable_sequence = 0;   // the last record known durable
  std::size_t queued = 0;               // records waiting for the next commit
  std::vector<std::uint64_t> batch_size_buckets;  // commits by records per batch: <=1, <=4, <=16, <=64, <=256, <=1024, more
};

class Store {
 public:
  // Called on the writer thread once the records are durable (ok) or could not be written (error: the
  // gateway must then stop acknowledging; it never pretends). Keep it short: post the real work elsewhere.
  using Durable = std::function<void(const Status& status, std::uint64_t last_sequence)>;

  // Opens (creating if needed) the database at `path`, sets WAL and synchronous FULL, creates the schema,
  // reads what is there and starts the writer thread. Fails with invalid_argument naming the file and
  // SQLite's reason (not a database, unwritable directory, newer schema).
  static Result<std::unique_ptr<Store>> open(const std::string& path, Recovered& recovered);
  ~Store();  // close(): commits what is queued first
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Queues records for the next group commit and returns the sequence number the last one will have.
  // Thread-safe; records of one call are contiguous and in order. `on_durable` may be empty.
  std::uint64_t append(std::vector<Record> records, Durable on_durable);
  // Queues a snapshot of the state after record `sequence` (which must have been appended); it is written in
  // the same group commit as the records before it. Older snapshots are deleted in that transaction.
  void snapshot(std::uint64_t sequence, std::string body);
  // A persistent secret of the tower (an HMAC key): read, or created with `make` and stored durably before
  // it is returned, so a key is never used that a restart would not find again.
  Result<std::string> secret(const std::string& name, const std::function<std::string()>& make);

  // Commits everything queued, waits for it, then stops the writer. Idempotent.
  void close();
  StoreStats stats() const;

 private:
  struct Pending {
    std::vector<Record> records;
    Durable on_durable;
    std::uint64_t last_sequence = 0;
  };
  using PendingSnapshot = std::pair<std::uint64_t, std::string>;  // (sequence, body)
  struct Statements;  // prepared once by open(), reused; only touched while holding connection_

  Store() = default;
  Status connect(const std::string& path);
  Status prepare_statements(const std::string& path);
  Status recover(const std::string& path, Recovered& recovered);
  void writer_loop();
  bool snapshot_ready(std::uint64_t last_sequence) const;  // mutex_ held
  Status commit_batch(const std::vector<Pending>& batch, const std::optional<PendingSnapshot>& snapshot);
  Status write_batch(const std::vector<Pending>& batch, const std::optional<PendingSnapshot>& snapshot);
  void count_batch(const Status& status, const std::vector<Pending>& batch, std::uint64_t last_sequence);

  // The connection is used by the writer's transactions and by secret(); connection_ serialises them, so
  // it is opened without SQLite's own mutex. It is never held together with mutex_.
  sqlite3* db_ = nullptr;
  std::unique_ptr<Statements> statements_;
  std::mutex connection_;

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable wake_;
  std::vector<Pending> queue_;
  std::optional<PendingSnapshot> pending_snapshot_;
  std::uint64_t next_sequence_ = 1;
  bool closing_ = false;
  Status failed_ = ok_status();
  StoreStats stats_;

  std::thread writer_;
  std::once_flag closed_;
};

}  // namespace tower::gateway
