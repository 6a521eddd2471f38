// Clang thread-safety annotations and an annotated mutex.
//
// Clang's -Wthread-safety (configure with -DTZ_THREAD_SAFETY=ON and clang++)
// checks at compile time that data marked TZ_GUARDED_BY(mu) is only touched
// while `mu` is held, that functions marked TZ_REQUIRES(mu) are only called
// with it held, and so on. The attributes are the ones described in Clang's
// "Thread Safety Analysis" documentation; on other compilers the macros
// expand to nothing, so annotated code builds unchanged with GCC.
//
// std::mutex and std::shared_mutex carry no annotations in libstdc++, so the
// analysis cannot see them being locked: use tz::Mutex and tz::MutexLock,
// resp. tz::SharedMutex with tz::ReaderLock and tz::WriterLock (below)
// instead.
//
//   class Counter {
//    public:
//     void Add(int n) TZ_EXCLUDES(mu_) {
//       tz::MutexLock lock(mu_);
//       total_ += n;
//     }
//    private:
//     tz::Mutex mu_;
//     int total_ TZ_GUARDED_BY(mu_) = 0;
//   };
//
// Waiting on a condition: tz::Mutex is a BasicLockable, so
// std::condition_variable_any waits on it (or on a tz::MutexLock) directly:
//
//   tz::MutexLock lock(mu_);
//   cv_.wait(mu_, [&]() TZ_REQUIRES(mu_) { return ready_; });
//
// (std::condition_variable needs a std::unique_lock<std::mutex>: build one
// over native() with std::adopt_lock and release() it afterwards.)
//
// Readers and a writer: tz::SharedMutex wraps std::shared_mutex. Readers
// hold it shared through tz::ReaderLock, and the analysis then allows reads
// of the data it guards but not writes; a tz::WriterLock holds it
// exclusively:
//
//   class Cache {
//    public:
//     std::optional<int> Find(int k) const TZ_EXCLUDES(mu_) {
//       tz::ReaderLock lock(mu_);
//       auto it = map_.find(k);
//       return it == map_.end() ? std::nullopt : std::optional<int>(it->second);
//     }
//     void Put(int k, int v) TZ_EXCLUDES(mu_) {
//       tz::WriterLock lock(mu_);
//       map_[k] = v;
//     }
//    private:
//     mutable tz::SharedMutex mu_;
//     std::map<int, int> map_ TZ_GUARDED_BY(mu_);
//   };
//
// A helper that only reads under either lock is TZ_REQUIRES_SHARED(mu_).
#pragma once

#include <mutex>
#include <shared_mutex>

#if defined(__clang__)
#define TZ_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define TZ_THREAD_ANNOTATION(x)
#endif

// On a class: its objects are capabilities (mutexes); `x` names the kind in
// diagnostics, e.g. TZ_CAPABILITY("mutex").
#define TZ_CAPABILITY(x) TZ_THREAD_ANNOTATION(capability(x))
// On a class: RAII objects that acquire a capability in the constructor and
// release it in the destructor.
#define TZ_SCOPED_CAPABILITY TZ_THREAD_ANNOTATION(scoped_lockable)

// On a data member: reading or writing it needs the capability (shared
// for reads, exclusive for writes).
#define TZ_GUARDED_BY(x) TZ_THREAD_ANNOTATION(guarded_by(x))
// On a pointer member: the pointed-to data needs the capability (the
// pointer itself does not).
#define TZ_PT_GUARDED_BY(x) TZ_THREAD_ANNOTATION(pt_guarded_by(x))

// On a mutex member: lock order. This one is acquired before / after the
// listed ones.
#define TZ_ACQUIRED_BEFORE(...) TZ_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define TZ_ACQUIRED_AFTER(...) TZ_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))

// On a function: callers must hold the capabilities (exclusively / at least
// shared), and still hold them on return.
#define TZ_REQUIRES(...) TZ_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define TZ_REQUIRES_SHARED(...) TZ_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))

// On a function: it acquires / releases the capabilities. Without arguments
// on a member function of a capability class, the capability is `*this`.
#define TZ_ACQUIRE(...) TZ_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define TZ_ACQUIRE_SHARED(...) TZ_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define TZ_RELEASE(...) TZ_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define TZ_RELEASE_SHARED(...) TZ_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
// Releases a capability held either exclusively or shared.
#define TZ_RELEASE_GENERIC(...) TZ_THREAD_ANNOTATION(release_generic_capability(__VA_ARGS__))

// On a function: it tries to acquire the capabilities and returns `b`
// (true/false) when it succeeded.
#define TZ_TRY_ACQUIRE(...) TZ_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define TZ_TRY_ACQUIRE_SHARED(...) TZ_THREAD_ANNOTATION(try_acquire_shared_capability(__VA_ARGS__))

// On a function: callers must not hold the capabilities (the function
// acquires them itself; catches self-deadlock on non-reentrant mutexes).
#define TZ_EXCLUDES(...) TZ_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))

// On a function: asserts at run time that the calling thread holds the
// capability; the analysis then assumes it is held.
#define TZ_ASSERT_CAPABILITY(x) TZ_THREAD_ANNOTATION(assert_capability(x))
#define TZ_ASSERT_SHARED_CAPABILITY(x) TZ_THREAD_ANNOTATION(assert_shared_capability(x))

// On a function: it returns a reference to the capability (an accessor for a
// private mutex), so that annotations can name it through the call.
#define TZ_RETURN_CAPABILITY(x) TZ_THREAD_ANNOTATION(lock_returned(x))

// On a function: turns the analysis off inside it. For code the analysis
// cannot follow; say why next to each use.
#define TZ_NO_THREAD_SAFETY_ANALYSIS TZ_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace tz {

// A std::mutex the analysis can see. Non-recursive, not copyable or movable.
// It meets BasicLockable and Lockable, so std::condition_variable_any,
// std::unique_lock and std::scoped_lock accept it (though the analysis only
// follows tz::MutexLock and the member functions below).
class TZ_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() TZ_ACQUIRE() { mu_.lock(); }
  void unlock() TZ_RELEASE() { mu_.unlock(); }
  bool try_lock() TZ_TRY_ACQUIRE(true) { return mu_.try_lock(); }

  // Tells the analysis that the caller holds this mutex (no run-time check:
  // std::mutex cannot tell who owns it). For callbacks the analysis cannot
  // follow, such as a condition-variable predicate.
  void AssertHeld() const TZ_ASSERT_CAPABILITY(this) {}

  // The wrapped mutex, for APIs that need a std::mutex (std::condition_variable
  // through a std::unique_lock). Locking it directly bypasses the analysis.
  std::mutex& native() TZ_RETURN_CAPABILITY(this) { return mu_; }

 private:
  std::mutex mu_;
};

// Holds a tz::Mutex for its scope. Like std::lock_guard, plus unlock()/lock()
// to drop and retake the mutex inside the scope; it is a BasicLockable
// itself, so std::condition_variable_any::wait(lock) works and the analysis
// still sees the mutex held around the wait.
class TZ_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) TZ_ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~MutexLock() TZ_RELEASE() {
    if (held_) mu_.unlock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void lock() TZ_ACQUIRE() {
    mu_.lock();
    held_ = true;
  }
  void unlock() TZ_RELEASE() {
    held_ = false;
    mu_.unlock();
  }

 private:
  Mutex& mu_;
  bool held_ = true;
};

// A std::shared_mutex the analysis can see: exclusive (lock/unlock, for
// writers) or shared (lock_shared/unlock_shared, for readers). Like
// std::shared_mutex it is not recursive, and a thread holding it shared must
// not try to take it exclusively (upgrade): release it first. Not copyable
// or movable. It meets Lockable and SharedLockable, so std::unique_lock,
// std::shared_lock and std::condition_variable_any accept it (again, the
// analysis only follows tz::ReaderLock, tz::WriterLock and the members
// below).
class TZ_CAPABILITY("mutex") SharedMutex {
 public:
  SharedMutex() = default;
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

  void lock() TZ_ACQUIRE() { mu_.lock(); }
  void unlock() TZ_RELEASE() { mu_.unlock(); }
  bool try_lock() TZ_TRY_ACQUIRE(true) { return mu_.try_lock(); }

  void lock_shared() TZ_ACQUIRE_SHARED() { mu_.lock_shared(); }
  void unlock_shared() TZ_RELEASE_SHARED() { mu_.unlock_shared(); }
  bool try_lock_shared() TZ_TRY_ACQUIRE_SHARED(true) { return mu_.try_lock_shared(); }

  // As Mutex::AssertHeld (no run-time check): the caller holds it
  // exclusively, resp. at least shared.
  void AssertHeld() const TZ_ASSERT_CAPABILITY(this) {}
  void AssertReaderHeld() const TZ_ASSERT_SHARED_CAPABILITY(this) {}

 private:
  std::shared_mutex mu_;
};

// Holds a tz::SharedMutex shared for its scope (std::shared_lock): the
// guarded data may be read, not written.
class TZ_SCOPED_CAPABILITY ReaderLock {
 public:
  explicit ReaderLock(SharedMutex& mu) TZ_ACQUIRE_SHARED(mu) : mu_(mu) { mu_.lock_shared(); }
  ~ReaderLock() TZ_RELEASE() { mu_.unlock_shared(); }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

 private:
  SharedMutex& mu_;
};

// Holds a tz::SharedMutex exclusively for its scope (std::unique_lock over
// a std::shared_mutex): the guarded data may be read and written.
class TZ_SCOPED_CAPABILITY WriterLock {
 public:
  explicit WriterLock(SharedMutex& mu) TZ_ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~WriterLock() TZ_RELEASE() { mu_.unlock(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  SharedMutex& mu_;
};

}  // namespace tz
