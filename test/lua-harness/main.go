// Command lua-health runs an Argo CD resource health script the way Argo CD
// does: in gopher-lua (Lua 5.1), with the object bound to the global `obj`,
// and prints the table it returns as JSON ({"status": ..., "message": ...}).
//
//	lua-health health.lua < object.json
//	lua-health -batch health.lua < objects.jsonl   (one object per line, one result per line)
//
// It mirrors Argo CD's util/lua: a state with only the package, base and
// table libraries open (no string, math or io: a health script that calls
// string.find works in a Lua shell and fails in Argo CD unless
// resource.customizations.useOpenLibs is set), a one-second deadline, the
// object converted map by map (JSON null becomes nil, arrays become
// sequences), and a returned status outside Argo CD's health codes reported as
// an error, where Argo CD would show Unknown.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	lua "github.com/yuin/gopher-lua"
)

type health struct {
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
	Error   string `json:"error,omitempty"`
}

func main() {
	batch := flag.Bool("batch", false, "read one JSON object per line and print one result per line")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: lua-health [-batch] <health.lua> < object.json")
		os.Exit(2)
	}
	script, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	out := json.NewEncoder(os.Stdout)
	if !*batch {
		input, err := io.ReadAll(os.Stdin)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		result := run(string(script), input)
		_ = out.Encode(result)
		if result.Error != "" {
			os.Exit(1)
		}
		return
	}
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 1<<20), 16<<20)
	for scanner.Scan() {
		if len(scanner.Bytes()) == 0 {
			continue
		}
		_ = out.Encode(run(string(script), scanner.Bytes()))
	}
	if err := scanner.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}

// run evaluates the script in a fresh state per object, as Argo CD does for
// every health assessment, so one object's globals never leak into the next.
func run(script string, input []byte) health {
	var obj any
	if err := json.Unmarshal(input, &obj); err != nil {
		return health{Error: "object: " + err.Error()}
	}
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{{lua.LoadLibName, lua.OpenPackage}, {lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable}} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	L.SetContext(ctx)
	L.SetGlobal("obj", toLua(L, obj))
	if err := L.DoString(script); err != nil {
		return health{Error: err.Error()}
	}
	table, ok := L.Get(-1).(*lua.LTable)
	if !ok {
		return health{Error: fmt.Sprintf("script returned %s, not a table", L.Get(-1).Type())}
	}
	status, ok := table.RawGetString("status").(lua.LString)
	if !ok {
		return health{Error: "script returned a table without a string status"}
	}
	if !validStatus[string(status)] {
		return health{Error: fmt.Sprintf("status %q is not an Argo CD health status (Argo CD shows Unknown)", string(status))}
	}
	result := health{Status: string(status)}
	switch message := table.RawGetString("message").(type) {
	case lua.LString:
		result.Message = string(message)
	case *lua.LNilType:
	default:
		return health{Error: errors.New("message is a " + message.Type().String() + ", not a string").Error()}
	}
	return result
}

var validStatus = map[string]bool{"Healthy": true, "Progressing": true, "Degraded": true, "Suspended": true, "Missing": true, "Unknown": true}

func toLua(L *lua.LState, value any) lua.LValue {
	switch v := value.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(v)
	case float64:
		return lua.LNumber(v)
	case string:
		return lua.LString(v)
	case []any:
		t := L.CreateTable(len(v), 0)
		for _, item := range v {
			t.Append(toLua(L, item))
		}
		return t
	case map[string]any:
		t := L.CreateTable(0, len(v))
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			t.RawSetString(k, toLua(L, v[k]))
		}
		return t
	}
	panic(fmt.Sprintf("unexpected JSON value %T", value))
}
