#include "mldp/audit/overfitting.hpp"

#include <doctest/doctest.h>

#include <vector>

#include <fmt/format.h>

// Expected epochs follow keras.callbacks.EarlyStopping's on_epoch_end, traced by hand: wait += 1;
// an improvement (current - min_delta beats best; min_delta counted against the goal) resets wait
// and returns; otherwise stop once wait >= patience (and epoch > 0).
TEST_CASE("early_stopping follows Keras's rule") {
    SUBCASE("patience 2 on a loss") {
        mldp::audit::early_stopping_options o;
        o.patience = 2;
        mldp::audit::early_stopping es(o);
        const std::vector<double> loss{1.0, 0.8, 0.9, 0.7, 0.75, 0.72, 0.6};
        std::vector<bool> stop;
        for (double l : loss) stop.push_back(es.update(l));
        // epoch 0 best 1.0; 1 best 0.8; 2 wait 1; 3 best 0.7; 4 wait 1; 5 wait 2 -> stop at epoch 5.
        CHECK(stop == std::vector<bool>{false, false, false, false, false, true, true});
        CHECK(es.stopped_epoch() == 5);
        // Epochs after the stop are still recorded: 0.6 at epoch 6 is the new best, and the stop stays.
        CHECK(es.best() == 0.6);
        CHECK(es.best_epoch() == 6);
        CHECK(es.improved());
        CHECK(es.should_stop());
    }
    SUBCASE("min_delta on an accuracy") {
        mldp::audit::early_stopping_options o;
        o.goal = mldp::audit::goal::maximize;
        o.patience = 3;
        o.min_delta = 0.01;
        mldp::audit::early_stopping es(o);
        // 0.80 best; 0.805 not > 0.81 (wait 1); 0.815 > 0.81: best (wait 0); 0.82, 0.824 not > 0.825
        // (wait 1, 2); 0.83 > 0.825: best; then three non-improvements stop at the third.
        const std::vector<double> acc{0.80, 0.805, 0.815, 0.82, 0.824, 0.83, 0.83, 0.835, 0.839};
        std::size_t stopped_at = 99;
        for (std::size_t e = 0; e < acc.size(); ++e) {
            if (es.update(acc[e]) && stopped_at == 99) stopped_at = e;
            if (e == 2) CHECK(es.improved());
        }
        CHECK(stopped_at == 8);
        CHECK(es.best_epoch() == 5);
    }
    SUBCASE("start_from_epoch and patience 0") {
        mldp::audit::early_stopping_options o;
        o.patience = 0;
        o.start_from_epoch = 2;
        mldp::audit::early_stopping es(o);
        CHECK_FALSE(es.update(5.0));  // ignored
        CHECK_FALSE(es.update(4.0));  // ignored
        CHECK_FALSE(es.update(3.0));  // first counted epoch: an improvement never stops
        CHECK(es.update(3.5));        // wait 1 >= 0
        CHECK(es.best_epoch() == 2);
    }
}

TEST_CASE("early_stopping state round-trips; bad input throws") {
    mldp::audit::early_stopping es;
    es.update(1.0);
    es.update(0.9);
    es.update(0.95);
    const auto back = mldp::audit::early_stopping::deserialize(es.serialize());
    CHECK(back.best() == 0.9);
    CHECK(back.wait() == 1);
    CHECK(back.epochs() == 3);
    const auto bytes = es.serialize();
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        auto flipped = bytes;
        flipped[i] ^= 0x20;
        CHECK_THROWS_AS(mldp::audit::early_stopping::deserialize(flipped), mldp::format_error);
    }
    CHECK_THROWS_WITH_AS(es.update(NAN), doctest::Contains("epoch 3"), mldp::data_error);
    mldp::audit::early_stopping_options o;
    o.min_delta = -1.0;
    CHECK_THROWS_AS(mldp::audit::early_stopping{o}, mldp::invalid_argument);
}

TEST_CASE("generalization_gap flags validation worsening while training improves") {
    mldp::audit::generalization_gap g;  // patience 3
    const std::vector<double> train{1.0, 0.8, 0.6, 0.5, 0.4, 0.35, 0.3};
    const std::vector<double> val{1.1, 0.9, 0.7, 0.72, 0.75, 0.8, 0.85};
    std::vector<bool> flags;
    for (std::size_t e = 0; e < train.size(); ++e) flags.push_back(g.update(train[e], val[e]));
    // Best validation at epoch 2; epochs 3, 4, 5 are worse while training improves: flagged at 5.
    CHECK(flags == std::vector<bool>{false, false, false, false, false, true, true});
    const auto r = g.report();
    CHECK(r.overfitting);
    CHECK(r.best_validation_epoch == 2);
    CHECK(r.began_epoch == 3);
    CHECK(r.gap[6] == doctest::Approx(0.55));
    CHECK(fmt::format("{}", r).find("since epoch 3") != std::string::npos);
    CHECK(nlohmann::json(r)["began_epoch"] == 3);

    // Both improving: no flag. Validation worse but training stalled too: no flag (not overfitting).
    mldp::audit::generalization_gap h;
    for (int e = 0; e < 10; ++e) CHECK_FALSE(h.update(1.0 / (e + 1), 1.2 / (e + 1)));
    mldp::audit::generalization_gap s;
    const std::vector<double> tr{1.0, 0.8, 0.8, 0.8, 0.8}, va{1.0, 0.7, 0.8, 0.9, 1.0};
    for (std::size_t e = 0; e < tr.size(); ++e) CHECK_FALSE(s.update(tr[e], va[e]));

    // Accuracies (maximize): validation accuracy falls while training accuracy rises.
    mldp::audit::gap_options o;
    o.goal = mldp::audit::goal::maximize;
    o.patience = 2;
    mldp::audit::generalization_gap acc(o);
    const std::vector<double> tra{0.6, 0.7, 0.8, 0.9}, vaa{0.6, 0.68, 0.66, 0.65};
    bool last = false;
    for (std::size_t e = 0; e < tra.size(); ++e) last = acc.update(tra[e], vaa[e]);
    CHECK(last);
    CHECK(acc.report().began_epoch == 2);
    CHECK_THROWS_AS(acc.update(0.5, INFINITY), mldp::data_error);

    // A plateau right after the best ends a run but does not block later flags (min_delta 0.01):
    // 0.705 is within 0.01 of the best 0.70, then 0.75, 0.8, 0.9 are a run of three from epoch 3.
    mldp::audit::gap_options p;
    p.min_delta = 0.01;
    mldp::audit::generalization_gap plateau(p);
    const std::vector<double> trp{1.0, 0.8, 0.7, 0.6, 0.5, 0.4}, vap{0.9, 0.70, 0.705, 0.75, 0.8, 0.9};
    std::vector<bool> pf;
    for (std::size_t e = 0; e < trp.size(); ++e) pf.push_back(plateau.update(trp[e], vap[e]));
    CHECK(pf == std::vector<bool>{false, false, false, false, false, true});
    CHECK(plateau.report().began_epoch == 3);
    o.patience = 0;
    CHECK_THROWS_AS(mldp::audit::generalization_gap{o}, mldp::invalid_argument);
}
