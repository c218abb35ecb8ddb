-- +goose Up
-- Backtests written by `iamtrim backtest` (and `run` with backtest:
-- enabled), one row per principal and window: the recommendation made from
-- the training window, replayed against the successful calls of the test
-- window that follows it (ending on as_of). Re-running on the same windows
-- rewrites the row. The report shows the latest one per principal.
CREATE TABLE backtest_result (
    principal_arn    text COLLATE "C" NOT NULL,
    as_of            date NOT NULL, -- last day of the test window
    train_days       int NOT NULL,
    test_days        int NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    proven           boolean NOT NULL,
    test_calls       bigint NOT NULL,
    denied           bigint NOT NULL,
    denied_trained   bigint NOT NULL, -- actions used in training: a defect
    denied_untrained bigint NOT NULL, -- actions never used in training
    unmapped         bigint NOT NULL, -- calls that could not be replayed
    granted          int NOT NULL,
    removed          int NOT NULL,
    body             jsonb NOT NULL,  -- backtest.Result
    PRIMARY KEY (principal_arn, as_of, train_days, test_days)
);
-- "the latest backtest of each principal"
CREATE INDEX backtest_result_latest ON backtest_result (principal_arn, as_of DESC, created_at DESC);

-- +goose Down
DROP TABLE backtest_result;
