package io.sdfleet.scheduler.state;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The one connection an active scheduler writes its state through. It holds PostgreSQL's session advisory lock that
 * makes a scheduler the active one; PostgreSQL drops the lock when the session ends (the process SIGKILLed, the
 * connection lost), and another scheduler takes it. Since every write goes through this session, a scheduler that
 * lost it can write nothing: its releases fail before they are published. Transactions are serialised (one session)
 * and nest: an inner {@link #inTransaction} joins the outer one.
 */
public final class FencedConnection implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FencedConnection.class);

    /** The advisory lock's key: "sdfleet-s" as a number, the same for every scheduler of a fleet's database. */
    static final long LOCK_KEY = 0x7364666c6565742dL;

    /** The scheduler's own schema (Flyway's, see scheduler-service.properties). */
    static final String SCHEMA = "scheduler";

    private final String url;
    private final String user;
    private final String password;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Connection connection;
    private JdbcTemplate jdbc;

    public FencedConnection(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** Opens a session and tries to take the lock; true when this scheduler now holds it. */
    public boolean tryLock() {
        lock.lock();
        try {
            if (connection != null) {
                return true;
            }
            Connection c = DriverManager.getConnection(url, user, password);
            c.setSchema(SCHEMA);
            boolean locked = false;
            try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                s.setLong(1, LOCK_KEY);
                try (ResultSet rs = s.executeQuery()) {
                    locked = rs.next() && rs.getBoolean(1);
                }
                if (locked) {
                    c.setAutoCommit(false);
                    connection = c;
                    jdbc = new JdbcTemplate(new SingleConnectionDataSource(c, true));
                }
            } finally {
                if (!locked) {
                    c.close();
                }
            }
            return locked;
        } catch (SQLException unreachable) {
            log.debug("could not ask PostgreSQL for the scheduler lock: {}", unreachable.toString());
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Whether this scheduler holds the lock, as far as it knows (no round trip; see {@link #stillHeld}). */
    public boolean held() {
        return connection != null;
    }

    /** Whether the session holding the lock is still alive (when it is not, the lock is gone: the session closes). */
    public boolean stillHeld() {
        lock.lock();
        try {
            if (connection == null) {
                return false;
            }
            if (connection.isValid(5)) {
                return true;
            }
            log.warn("lost the connection holding the scheduler lock");
            close();
            return false;
        } catch (SQLException e) {
            close();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code work} in one transaction of the locked session, committed when it returns (unless it is nested in
     * another); a failure rolls it back. Refused while this scheduler does not hold the lock.
     */
    public <T> T inTransaction(Supplier<T> work) {
        lock.lock();
        boolean outermost = lock.getHoldCount() == 1;
        try {
            if (connection == null) {
                throw new NotActive();
            }
            T result = work.get();
            if (outermost) {
                connection.commit();
            }
            return result;
        } catch (SQLException e) {
            rollback();
            throw new IllegalStateException("could not commit the scheduler's state", e);
        } catch (RuntimeException | Error e) {
            if (outermost) {
                rollback();
            }
            throw e;
        } finally {
            lock.unlock();
        }
    }

    public void inTransaction(Runnable work) {
        inTransaction(() -> {
            work.run();
            return null;
        });
    }

    /** Statements for the work of {@link #inTransaction}; only to be used inside it. */
    JdbcTemplate jdbc() {
        if (!lock.isHeldByCurrentThread() || jdbc == null) {
            throw new IllegalStateException("scheduler state is only touched inside inTransaction");
        }
        return jdbc;
    }

    private void rollback() {
        try {
            if (connection != null) {
                connection.rollback();
            }
        } catch (SQLException e) {
            log.warn("rollback failed: {}", e.toString());
        }
    }

    /** Ends the session, and with it the lock. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException e) {
                    log.debug("closing the scheduler lock's connection: {}", e.toString());
                }
                connection = null;
                jdbc = null;
            }
        } finally {
            lock.unlock();
        }
    }

    /** This scheduler is not the active one (or just stopped being it). */
    public static final class NotActive extends IllegalStateException {
        NotActive() {
            super("this scheduler is not the active one");
        }
    }
}
