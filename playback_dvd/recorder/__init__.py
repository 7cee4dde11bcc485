"""The Recorder: operations, intercepted inputs and outputs, their values, replay (`play`) and saving."""
