// The durable log in SQLite: opening and recovery, the group-committing writer thread, and secrets.
#include "gateway/store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <string_view>
#include <system_error>

namespace tower::gateway {

namespace {

constexpr int schema_version = 1;
constexpr int busy_timeout_ms = 2000;
constexpr std::size_t batch_buckets = 7;

constexpr const char* create_schema_sql =
    "BEGIN IMMEDIATE;"
    "CREATE TABLE IF NOT EXISTS records(sequence INTEGER PRIMARY KEY, kind TEXT NOT NULL, body TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS snapshots(sequence INTEGER PRIMARY KEY, body TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS secrets(name TEXT PRIMARY KEY, value BLOB NOT NULL);"
    "PRAGMA user_version = 1;"
    "COMMIT;";

struct Finalize {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using Statement = std::unique_ptr<sqlite3_stmt, Finalize>;

Error raw_error(sqlite3* db) { return make_error(ErrorCode::conflict, sqlite3_errmsg(db)); }

Error open_error(const std::string& path, std::string_view reason) {
  return make_error(ErrorCode::invalid_argument, "cannot open the store " + path + ": " + std::string(reason));
}

Error write_error(const Error& raw) {
  return make_error(ErrorCode::conflict, "the store could not write: " + raw.message);
}

Result<Statement> prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr) != SQLITE_OK) {
    return raw_error(db);
  }
  return Statement(raw);
}

// The value a PRAGMA reports, as text. The statement is finalized here, so no read stays open.
Result<std::string> pragma_value(sqlite3* db, const char* sql) {
  auto statement = prepare(db, sql);
  if (!statement) return statement.error();
  const int rc = sqlite3_step(statement->get());
  if (rc == SQLITE_DONE) return make_error(ErrorCode::conflict, std::string("no result from ") + sql);
  if (rc != SQLITE_ROW) return raw_error(db);
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement->get(), 0));
  return std::string(text == nullptr ? "" : text);
}

Status exec(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return raw_error(db);
  return ok_status();
}

// Steps a statement that returns no rows, then resets it for reuse. The message is read before the reset.
Status run(sqlite3* db, sqlite3_stmt* statement) {
  const int rc = sqlite3_step(statement);
  Status status = ok_status();
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) status = raw_error(db);
  sqlite3_reset(statement);
  sqlite3_clear_bindings(statement);
  return status;
}

// SQLITE_STATIC: every bound string outlives the step and the reset that follow.
void bind_text(sqlite3_stmt* statement, int index, std::string_view text) {
  sqlite3_bind_text(statement, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

void bind_sequence(sqlite3_stmt* statement, int index, std::uint64_t sequence) {
  sqlite3_bind_int64(statement, index, static_cast<sqlite3_int64>(sequence));
}

std::string column_string(sqlite3_stmt* statement, int column) {
  const auto* data = static_cast<const char*>(sqlite3_column_blob(statement, column));
  if (data == nullptr) return {};
  return std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(statement, column)));
}

std::uint64_t column_sequence(sqlite3_stmt* statement, int column) {
  return static_cast<std::uint64_t>(sqlite3_column_int64(statement, column));
}

std::size_t bucket_of(std::size_t records) {
  std::size_t bucket = 0;
  for (std::size_t limit = 1; bucket + 1 < batch_buckets && records > limit; limit *= 4) ++bucket;
  return bucket;
}

}  // namespace

struct Store::Statements {
  Statement begin, commit, rollback;
  Statement insert_record, insert_snapshot, delete_older_snapshots;
  Statement select_secret, insert_secret;
};

Result<std::unique_ptr<Store>> Store::open(const std::string& path, Recovered& recovered) {
  recovered = Recovered{};
  std::unique_ptr<Store> store(new Store());
  store->stats_.batch_size_buckets.assign(batch_buckets, 0);
  if (auto status = store->connect(path); !status) return status.error();
  if (auto status = store->prepare_statements(path); !status) return status.error();
  if (auto status = store->recover(path, recovered); !status) return status.error();
  try {
    store->writer_ = std::thread([raw = store.get()] { raw->writer_loop(); });
  } catch (const std::system_error& error) {
    return open_error(path, std::string("cannot start the writer thread: ") + error.what());
  }
  return store;
}

Status Store::connect(const std::string& path) {
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) return open_error(path, sqlite3_errmsg(db_));
  sqlite3_busy_timeout(db_, busy_timeout_ms);
  // The first statement reads the file header, so this is where "not a database" shows up.
  auto mode = pragma_value(db_, "PRAGMA journal_mode=WAL");
  if (!mode) return open_error(path, mode.error().message);
  if (*mode != "wal") return open_error(path, "the journal mode is '" + *mode + "', not WAL");
  if (auto status = exec(db_, "PRAGMA synchronous=FULL"); !status) return open_error(path, status.error().message);
  auto version = pragma_value(db_, "PRAGMA user_version");
  if (!version) return open_error(path, version.error().message);
  int found = 0;
  std::from_chars(version->data(), version->data() + version->size(), found);
  if (found > schema_version) {
    return open_error(path, "its schema version " + *version + " is newer than this gateway's (" +
                                std::to_string(schema_version) + ")");
  }
  if (found == schema_version) return ok_status();
  if (auto status = exec(db_, create_schema_sql); !status) {
    (void)exec(db_, "ROLLBACK");  // the open fails either way; the first error is the one to report
    return open_error(path, status.error().message);
  }
  return ok_status();
}

Status Store::prepare_statements(const std::string& path) {
  statements_ = std::make_unique<Statements>();
  const std::pair<Statement*, const char*> all[] = {
      {&statements_->begin, "BEGIN IMMEDIATE"},
      {&statements_->commit, "COMMIT"},
      {&statements_->rollback, "ROLLBACK"},
      {&statements_->insert_record, "INSERT INTO records(sequence, kind, body) VALUES(?1, ?2, ?3)"},
      {&statements_->insert_snapshot, "INSERT OR REPLACE INTO snapshots(sequence, body) VALUES(?1, ?2)"},
      {&statements_->delete_older_snapshots, "DELETE FROM snapshots WHERE sequence < ?1"},
      {&statements_->select_secret, "SELECT value FROM secrets WHERE name = ?1"},
      {&statements_->insert_secret, "INSERT INTO secrets(name, value) VALUES(?1, ?2)"},
  };
  for (const auto& [target, sql] : all) {
    auto statement = prepare(db_, sql);
    if (!statement) return open_error(path, statement.error().message);
    *target = std::move(statement).value();
  }
  return ok_status();
}

Status Store::recover(const std::string& path, Recovered& recovered) {
  auto newest = prepare(db_, "SELECT sequence, body FROM snapshots ORDER BY sequence DESC LIMIT 1");
  if (!newest) return open_error(path, newest.error().message);
  int rc = sqlite3_step(newest->get());
  if (rc == SQLITE_ROW) {
    recovered.snapshot_sequence = column_sequence(newest->get(), 0);
    recovered.snapshot = column_string(newest->get(), 1);
  } else if (rc != SQLITE_DONE) {
    return open_error(path, sqlite3_errmsg(db_));
  }
  auto after = prepare(db_, "SELECT sequence, kind, body FROM records WHERE sequence > ?1 ORDER BY sequence");
  if (!after) return open_error(path, after.error().message);
  bind_sequence(after->get(), 1, recovered.snapshot_sequence);
  while ((rc = sqlite3_step(after->get())) == SQLITE_ROW) {
    recovered.records.push_back(StoredRecord{column_sequence(after->get(), 0),
                                             Record{column_string(after->get(), 1), column_string(after->get(), 2)}});
  }
  if (rc != SQLITE_DONE) return open_error(path, sqlite3_errmsg(db_));
  const std::uint64_t last =
      recovered.records.empty() ? recovered.snapshot_sequence : recovered.records.back().sequence;
  next_sequence_ = last + 1;
  stats_.durable_sequence = last;
  return ok_status();
}

Store::~Store() { close(); }

std::uint64_t Store::append(std::vector<Record> records, Durable on_durable) {
  std::unique_lock lock(mutex_);
  if (closing_) {
    // The writer is gone or going: refuse loudly rather than drop the records.
    lock.unlock();
    if (on_durable) on_durable(make_error(ErrorCode::conflict, "the store is closed"), 0);
    return 0;
  }
  next_sequence_ += records.size();
  const std::uint64_t last = next_sequence_ - 1;
  queue_.push_back(Pending{std::move(records), std::move(on_durable), last});
  lock.unlock();
  wake_.notify_one();
  return last;
}

void Store::snapshot(std::uint64_t sequence, std::string body) {
  {
    std::lock_guard lock(mutex_);
    assert(sequence < next_sequence_ && "snapshot of records that were never appended");
    // Only the newest pending snapshot matters: an older one would be deleted in the same transaction.
    if (pending_snapshot_ && pending_snapshot_->first > sequence) return;
    pending_snapshot_ = PendingSnapshot{sequence, std::move(body)};
  }
  wake_.notify_one();
}

bool Store::snapshot_ready(std::uint64_t last_sequence) const {
  return pending_snapshot_ && pending_snapshot_->first <= last_sequence;
}

void Store::writer_loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] {
      return !queue_.empty() || snapshot_ready(stats_.durable_sequence) || closing_;
    });
    if (queue_.empty() && !snapshot_ready(stats_.durable_sequence)) return;  // closing, nothing left
    std::vector<Pending> batch;
    batch.swap(queue_);
    const std::uint64_t last = batch.empty() ? stats_.durable_sequence : batch.back().last_sequence;
    std::optional<PendingSnapshot> snapshot;
    if (snapshot_ready(last)) snapshot.swap(pending_snapshot_);
    Status status = failed_;
    lock.unlock();
    // Once a write has failed nothing more is written: the caller must never be told "durable" again.
    if (status) status = commit_batch(batch, snapshot);
    lock.lock();
    count_batch(status, batch, last);
    lock.unlock();
    for (const Pending& pending : batch) {
      if (pending.on_durable) pending.on_durable(status, pending.last_sequence);
    }
    lock.lock();
  }
}

Status Store::commit_batch(const std::vector<Pending>& batch, const std::optional<PendingSnapshot>& snapshot) {
  std::lock_guard guard(connection_);
  Status status = write_batch(batch, snapshot);
  // A failed ROLLBACK changes nothing: the store is failed from now on and writes no more.
  if (!status && sqlite3_get_autocommit(db_) == 0) (void)run(db_, statements_->rollback.get());
  if (!status) return write_error(status.error());
  return status;
}

Status Store::write_batch(const std::vector<Pending>& batch, const std::optional<PendingSnapshot>& snapshot) {
  if (auto status = run(db_, statements_->begin.get()); !status) return status;
  sqlite3_stmt* insert = statements_->insert_record.get();
  for (const Pending& pending : batch) {
    std::uint64_t sequence = pending.last_sequence + 1 - pending.records.size();
    for (const Record& record : pending.records) {
      bind_sequence(insert, 1, sequence++);
      bind_text(insert, 2, record.kind);
      bind_text(insert, 3, record.body);
      if (auto status = run(db_, insert); !status) return status;
    }
  }
  if (snapshot) {
    sqlite3_stmt* write = statements_->insert_snapshot.get();
    bind_sequence(write, 1, snapshot->first);
    bind_text(write, 2, snapshot->second);
    if (auto status = run(db_, write); !status) return status;
    sqlite3_stmt* prune = statements_->delete_older_snapshots.get();
    bind_sequence(prune, 1, snapshot->first);
    if (auto status = run(db_, prune); !status) return status;
  }
  return run(db_, statements_->commit.get());
}

void Store::count_batch(const Status& status, const std::vector<Pending>& batch, std::uint64_t last_sequence) {
  if (!status) {
    if (failed_) failed_ = status;
    return;
  }
  std::size_t records = 0;
  for (const Pending& pending : batch) records += pending.records.size();
  ++stats_.commits;
  stats_.records += records;
  stats_.durable_sequence = std::max(stats_.durable_sequence, last_sequence);
  ++stats_.batch_size_buckets[bucket_of(records)];
}

Result<std::string> Store::secret(const std::string& name, const std::function<std::string()>& make) {
  std::lock_guard guard(connection_);
  if (db_ == nullptr) return make_error(ErrorCode::conflict, "the store is closed");
  sqlite3_stmt* select = statements_->select_secret.get();
  bind_text(select, 1, name);
  const int rc = sqlite3_step(select);
  std::optional<std::string> found;
  if (rc == SQLITE_ROW) found = column_string(select, 0);
  const Error error = raw_error(db_);
  sqlite3_reset(select);
  sqlite3_clear_bindings(select);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return write_error(error);
  if (found) return *found;
  // Stored in its own (autocommit) transaction, durable before the key is ever used.
  std::string value = make();
  sqlite3_stmt* insert = statements_->insert_secret.get();
  bind_text(insert, 1, name);
  sqlite3_bind_blob(insert, 2, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
  if (auto status = run(db_, insert); !status) return write_error(status.error());
  return value;
}

void Store::close() {
  std::call_once(closed_, [this] {
    assert(std::this_thread::get_id() != writer_.get_id() && "close() called from a durable callback");
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
    }
    wake_.notify_all();
    if (writer_.joinable()) writer_.join();  // the writer drains the queue before it returns
    std::lock_guard guard(connection_);
    statements_.reset();
    sqlite3_close(db_);
    db_ = nullptr;
  });
}

StoreStats Store::stats() const {
  std::lock_guard lock(mutex_);
  StoreStats stats = stats_;
  for (const Pending& pending : queue_) stats.queued += pending.records.size();
  return stats;
}

}  // namespace tower::gateway
