"""The solver: an instance in, a schedule out, as a pipeline of steps (`solve.py` runs them).

1. `prepare`: where each request fits (both sides free, inside its windows), as bitmasks;
2. `greedy` over `booking`: first come, first served, the baseline never to fall below;
3. `session_relaxation`: the problem counted per session, a proven bound and a rounded
   schedule in seconds at any size;
4. `formulation` -> `relaxation` (LP) -> `cpsat`, with `answers` turning a model's choice
   into real tables and people, where the slot-by-slot model is small enough;
5. optional goals: `compact` / `compact_maxsat` (fewer breaks), `fairness`, `stability`
   (re-solves that keep what was published); `quality` measures them;
6. `reasons` and `explain`: why a request is not in the schedule.

Plain data in, plain data out: nothing here imports Flask, a database or the web package.
"""
