//! Unit tests written from the specification; each cites its rule (EP-…).

use super::*;

/// Whether `pattern` matches `event`; both must be valid.
fn m(pattern: &str, event: &str) -> bool {
    let p = Pattern::parse(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
    p.matches(event).unwrap_or_else(|e| panic!("{event}: {e}"))
}

/// The reason EventBridge gives for rejecting `pattern`.
fn reason(pattern: &str) -> String {
    match Pattern::parse(pattern) {
        Ok(_) => panic!("{pattern} should be rejected"),
        Err(e) => e.reason().to_string(),
    }
}

#[test]
fn structure_rules() {
    assert_eq!(reason(r#"["not","a","dict"]"#), "Filter is not an object"); // EP-PAT-1
    assert_eq!(reason("{}"), "Empty objects are not allowed"); // EP-PAT-3
    assert_eq!(reason(r#"{"detail":{}}"#), "Empty objects are not allowed");
    assert_eq!(
        reason(r#"{"int":42}"#),
        r#""int" must be an object or an array"#
    ); // EP-PAT-4
    assert_eq!(
        reason(r#"{"a":null}"#),
        r#""a" must be an object or an array"#
    );
    assert_eq!(
        reason(r#"{"resources":[]}"#),
        "Empty arrays are not allowed"
    ); // EP-PAT-5
    assert_eq!(
        reason(r#"{"a":[["x"]]}"#),
        "Match value must be String, number, true, false, or null"
    ); // EP-PAT-6
    assert_eq!(reason(r#"{"a":[{}]}"#), "Match expression name not found"); // EP-PAT-7
    assert_eq!(
        reason(r#"{"a":[{"prefix":"a","suffix":"b"}]}"#),
        "Only one key allowed in match expression"
    ); // EP-PAT-8
    assert_eq!(
        reason(r#"{"my_key":[{"EXISTS":true}]}"#),
        "Unrecognized match type EXISTS"
    ); // EP-PAT-9
    assert!(!m(r#"{"MY_KEY":["my-value"]}"#, r#"{"my_key":"my-value"}"#)); // EP-PAT-10
    assert!(m(
        r#"{"source":["order"],"detail-type":["Test"]}"#,
        r#"{"source":"order","detail-type":"Test","extra":1}"#
    )); // EP-PAT-11
    assert!(!m(
        r#"{"source":["shipment"],"detail-type":["Test"]}"#,
        r#"{"source":"order","detail-type":"Test"}"#
    )); // EP-PAT-12
    assert!(m(
        r#"{"a":["x",5,true,null,{"prefix":"q"}]}"#,
        r#"{"a":null}"#
    )); // EP-PAT-13
    assert!(m(
        r#"{"my_key":[{"exists":true},{"prefix":"IGNORED"},{"suffix":"IGNORED"}]}"#,
        r#"{"my_key":"my-value"}"#
    ));
    assert_eq!(reason(r#"{"a":[],"b":1}"#), "Empty arrays are not allowed"); // EP-ERR-3
}

#[test]
fn duplicate_keys_and_dots() {
    let p = r#"{"detail":{"location":[{"prefix":"us-"}],"location":[{"anything-but":"us-east"}]}}"#;
    assert!(m(p, r#"{"detail":{"location":"eu-central-1"}}"#)); // EP-PAT-14
    assert!(!m(p, r#"{"detail":{"location":"us-east"}}"#));
    let p = r#"{"d":{"x":["1"]},"d":{"y":["2"]}}"#; // EP-PAT-15
    assert!(!m(p, r#"{"d":{"y":"2"}}"#));
    assert!(m(p, r#"{"d":{"x":"1","y":"2"}}"#));
    assert!(m(
        r#"{"detail":{"state.status":["running"]}}"#,
        r#"{"detail":{"state":{"status":"running"}}}"#
    )); // EP-PAT-16
    assert!(m(
        r#"{"d":{"a":{"b":["1"]},"a.b":["2"]}}"#,
        r#"{"d":{"a":{"b":"2"}}}"#
    )); // EP-PAT-17
    assert!(m(
        r#"{"detail":{"a":{"b":{"c":{"d":["1"]}}}}}"#,
        r#"{"detail":{"a":{"b":{"c":{"d":"1"}}}}}"#
    )); // EP-PAT-18
    assert!(m(
        r#"{"detail":{"state":{"status":["running"]}}}"#,
        r#"{"detail":{"state.status":"running"}}"#
    )); // EP-EVT-9
    assert!(!m(
        r#"{"detail":{"state":{"status":["running"]}}}"#,
        r#"{"detail":{"state.status":{"status":"running"}}}"#
    )); // EP-EVT-10
}

#[test]
fn event_model_rules() {
    assert!(m(r#"{"a":[3]}"#, r#"{"a":[[1,2],[3]]}"#)); // EP-EVT-4
    assert!(!m(r#"{"resources":[null]}"#, r#"{"resources":[]}"#)); // EP-EVT-5
    assert!(!m(
        r#"{"dynamodb":{"presentKey":[{"exists":true}]}}"#,
        r#"{"dynamodb":{"presentKey":{"S":"test123"}}}"#
    )); // EP-EVT-6
    assert!(!m(r#"{"a":{"b":["x"]}}"#, r#"{"a":"x"}"#)); // EP-EVT-7
    assert!(!m(
        r#"{"detail":{"my-key":["my-value"]}}"#,
        r#"{"detail":"{\"my-key\": \"my-value\"}"}"#
    )); // EP-EVT-8
    assert!(!m(r#"{"a":["\u00e9"]}"#, r#"{"a":"e\u0301"}"#)); // EP-EVT-11
    assert!(m(r#"{"a":["\u00e9"]}"#, r#"{"a":"é"}"#)); // EP-EVT-12
    assert!(m(r#"{"a":["1"]}"#, r#"{"a":"2","a":"1"}"#)); // EP-EVT-13
}

#[test]
fn exact_literals() {
    assert!(!m(r#"{"a":["300"]}"#, r#"{"a":300}"#)); // EP-STR-2
    assert!(!m(r#"{"boolean":[false]}"#, r#"{"boolean":true}"#)); // EP-STR-3
    assert!(m(r#"{"boolean":[false]}"#, r#"{"boolean":false}"#));
    assert!(!m(r#"{"a":[true]}"#, r#"{"a":"true"}"#)); // EP-STR-4
    assert!(m(r#"{"r":[null]}"#, r#"{"r":null}"#)); // EP-STR-5
    assert!(!m(r#"{"r":[null]}"#, r#"{"r":"null"}"#)); // EP-STR-6
    assert!(!m(r#"{"a":[null]}"#, r#"{}"#)); // EP-STR-7
    assert!(m(r#"{"a":[null]}"#, r#"{"a":["x",null]}"#)); // EP-STR-8
    assert!(m(r#"{"v":[""]}"#, r#"{"v":""}"#)); // EP-STR-9
    assert!(!m(r#"{"a":[""]}"#, r#"{"a":null}"#)); // EP-STR-10
    assert!(m(r#"{"s":["*"],"b":["\\"]}"#, r#"{"s":"*","b":"\\"}"#)); // EP-STR-11
    assert!(!m(r#"{"a":["*"]}"#, r#"{"a":"abc"}"#));
    assert!(m(
        r#"{"a":["2001:db8::1"]}"#,
        r#"{"a":"2001:0db8:0000:0000:0000:0000:0000:0001"}"#
    )); // EP-STR-12
    assert!(m(r#"{"a":["10.0.0.1"]}"#, r#"{"a":"10.0.0.01"}"#));
    assert!(!m(r#"{"a":["12:30"]}"#, r#"{"a":"12:30:00"}"#));
    assert!(m(r#"{"a":[{"exactly":"x"}]}"#, r#"{"a":"x"}"#)); // EP-STR-13
    assert_eq!(
        reason(r#"{"a":[{"exactly":5}]}"#),
        "exact match pattern must be a string"
    );
}

#[test]
fn number_literals() {
    assert!(m(r#"{"n":[300]}"#, r#"{"n":300.0}"#)); // EP-NUMEQ-1
    assert!(m(r#"{"a":[300]}"#, r#"{"a":3.0e2}"#)); // EP-NUMEQ-2
    assert!(!m(r#"{"a":[300]}"#, r#"{"a":"300"}"#)); // EP-NUMEQ-3
    assert!(m(r#"{"a":[-0.0]}"#, r#"{"a":0}"#)); // EP-NUMEQ-4
    assert!(m(r#"{"a":[0.1]}"#, r#"{"a":0.100}"#));
    assert!(!m(r#"{"a":[1.0000000000000001]}"#, r#"{"a":1}"#)); // EP-NUMEQ-5
    assert!(m(
        r#"{"a":[1.0000000000000001]}"#,
        r#"{"a":1.0000000000000001}"#
    ));
    assert!(m(r#"{"a":[1e400]}"#, r#"{"a":1e400}"#)); // EP-NUMEQ-6
    assert!(!m(r#"{"a":[1e400]}"#, r#"{"a":1E400}"#));
    assert!(m(r#"{"a":[123456789012]}"#, r#"{"a":123456789012.0}"#)); // EP-NUMEQ-7
    assert!(!m(
        r#"{"a":[9007199254740993]}"#,
        r#"{"a":9007199254740992}"#
    )); // EP-NUMEQ-8
}

#[test]
fn prefix_and_suffix() {
    assert!(m(
        r#"{"time":[{"prefix":"2022-07-13"}]}"#,
        r#"{"time":"2022-07-13T13:48:01Z"}"#
    )); // EP-PFX-1
    assert!(!m(
        r#"{"time":[{"prefix":"2022-07-99"}]}"#,
        r#"{"time":"2022-07-13T13:48:01Z"}"#
    )); // EP-PFX-2
    assert!(m(r#"{"s":[{"prefix":""}]}"#, r#"{"s":""}"#)); // EP-PFX-3
    assert!(!m(r#"{"a":[{"prefix":"12"}]}"#, r#"{"a":123}"#)); // EP-PFX-4
    assert!(!m(r#"{"a":[{"prefix":""}]}"#, r#"{"a":null}"#));
    assert_eq!(
        reason(r#"{"time":[{"prefix":123}]}"#),
        "prefix match pattern must be a string"
    ); // EP-PFX-5
    assert_eq!(
        reason(r#"{"time":[{"prefix":["2022"]}]}"#),
        "prefix match pattern must be a string"
    );
    assert!(m(
        r#"{"s":[{"prefix":{"equals-ignore-case":"EventB"}}]}"#,
        r#"{"s":"EvEnTb"}"#
    )); // EP-PFX-6
    assert_eq!(
        reason(r#"{"a":[{"prefix":{"foo":"x"}}]}"#),
        "Unsupported prefix pattern: foo"
    ); // EP-PFX-7
    assert_eq!(
        reason(r#"{"a":[{"prefix":{}}]}"#),
        "Prefix expression name not found"
    );
    assert_eq!(
        reason(r#"{"a":[{"prefix":{"equals-ignore-case":5}}]}"#),
        "equals-ignore-case match pattern must be a string"
    );
    assert!(m(r#"{"a":[{"prefix":"a\""}]}"#, r#"{"a":"a"}"#)); // EP-PFX-8
    assert!(m(r#"{"f":[{"suffix":".png"}]}"#, r#"{"f":"image.png"}"#)); // EP-SFX-1
    assert!(!m(r#"{"f":[{"suffix":".PNG"}]}"#, r#"{"f":"image.png"}"#)); // EP-SFX-2
    assert!(!m(r#"{"a":[{"suffix":"0"}]}"#, r#"{"a":10}"#)); // EP-SFX-4
    assert_eq!(
        reason(r#"{"f":[{"suffix":[".png"]}]}"#),
        "suffix match pattern must be a string"
    ); // EP-SFX-5
    assert_eq!(
        reason(r#"{"a":[{"suffix":{"x":"y"}}]}"#),
        "Unsupported suffix pattern: x"
    );
    assert_eq!(
        reason(r#"{"a":[{"suffix":{}}]}"#),
        "Suffix expression name not found"
    );
    assert!(m(
        r#"{"f":[{"suffix":{"equals-ignore-case":".png"}}]}"#,
        r#"{"f":"image.PNG"}"#
    )); // EP-SFX-6
    assert!(m(r#"{"a":[{"suffix":"\""}]}"#, r#"{"a":""}"#)); // EP-SFX-7
}

#[test]
fn equals_ignore_case() {
    let p = r#"{"t":[{"equals-ignore-case":"ec2 instance state-change notification"}]}"#;
    assert!(m(p, r#"{"t":"EC2 Instance State-change Notification"}"#)); // EP-EIC-1
    assert!(m(r#"{"v":[{"equals-ignore-case":""}]}"#, r#"{"v":""}"#)); // EP-EIC-3
    assert!(!m(r#"{"v":[{"equals-ignore-case":""}]}"#, r#"{"v":"x"}"#));
    assert_eq!(
        reason(r#"{"t":[{"equals-ignore-case":["x"]}]}"#),
        "equals-ignore-case match pattern must be a string"
    ); // EP-EIC-4
    assert!(!m(r#"{"a":[{"equals-ignore-case":"5"}]}"#, r#"{"a":5}"#)); // EP-EIC-5
    assert!(m(r#"{"a":[{"equals-ignore-case":"É"}]}"#, r#"{"a":"é"}"#)); // EP-EIC-6
}

#[test]
fn wildcards() {
    assert!(m(r#"{"a":[{"wildcard":"a*c"}]}"#, r#"{"a":"ac"}"#)); // EP-WILD-1
    assert!(!m(r#"{"a":[{"wildcard":"*"}]}"#, r#"{"a":5}"#)); // EP-WILD-7
    assert!(m(r#"{"a":[{"wildcard":"*"}]}"#, r#"{"a":""}"#));
    assert_eq!(
        reason(r#"{"a":[{"wildcard":"a\\b"}]}"#),
        "Invalid escape character at pos 2"
    ); // EP-WILD-10
    assert_eq!(
        reason(r#"{"a":[{"wildcard":123}]}"#),
        "wildcard match pattern must be a string"
    ); // EP-WILD-12
    let complex = "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character";
    assert_eq!(
        reason(r#"{"b":[{"wildcard":"*:*:*:*:*:event-bus/*"}]}"#),
        complex
    ); // EP-WILD-13
    assert_eq!(reason(r#"{"b":[{"wildcard":"*a*a*a*a*a*a"}]}"#), complex);
    assert!(Pattern::parse(r#"{"b":[{"wildcard":"*:*:*:*:*"}]}"#).is_ok());
    assert!(
        Pattern::parse(r#"{"b":[{"wildcard":"/Users/*/dir/dir/dir/dir/dir/doc.txt"}]}"#).is_ok()
    );
}

#[test]
fn anything_but() {
    let p = r#"{"s":[{"anything-but":"initializing"}]}"#;
    assert!(m(p, r#"{"s":"pending"}"#)); // EP-ANYBUT-1
    assert!(!m(p, r#"{"s":"initializing"}"#));
    assert!(!m(p, r#"{}"#)); // EP-ANYBUT-2
    assert!(m(p, r#"{"s":null}"#)); // EP-ANYBUT-3
    assert!(!m(r#"{"a":[{"anything-but":[1,2]}]}"#, r#"{"a":1.0}"#)); // EP-ANYBUT-6
    assert!(m(r#"{"a":[{"anything-but":"5"}]}"#, r#"{"a":5}"#)); // EP-ANYBUT-7
    assert!(m(r#"{"a":[{"anything-but":5}]}"#, r#"{"a":"5"}"#));
    assert!(m(r#"{"a":[{"anything-but":"x"}]}"#, r#"{"a":true}"#));
    assert!(m(r#"{"a":[{"anything-but":"x"}]}"#, r#"{"a":["x","y"]}"#)); // EP-ANYBUT-8
    assert!(!m(r#"{"a":[{"anything-but":"x"}]}"#, r#"{"a":["x"]}"#));
    assert!(!m(r#"{"a":[{"anything-but":"x"}]}"#, r#"{"a":[]}"#));
    assert!(!m(r#"{"a":[{"anything-but":"x"}]}"#, r#"{"a":{"b":"y"}}"#)); // EP-ANYBUT-9
    assert_eq!(
        reason(r#"{"a":[{"anything-but":true}]}"#),
        "Value of anything-but must be an array or single string/number value."
    ); // EP-ANYBUT-10
    assert_eq!(
        reason(r#"{"a":[{"anything-but":["a",1]}]}"#),
        "Inside anything but list, either all values are number or string, mixed type is not supported"
    ); // EP-ANYBUT-12
    assert_eq!(
        reason(r#"{"a":[{"anything-but":[]}]}"#),
        "Inside anything but list, either all values are number or string, mixed type is not supported"
    );
    assert!(!m(
        r#"{"a":[{"anything-but":{"prefix":["init","post"]}}]}"#,
        r#"{"a":"post-init"}"#
    )); // EP-ANYBUT-14
    assert_eq!(
        reason(r#"{"a":[{"anything-but":{"prefix":["x",""]}}]}"#),
        "Null prefix/suffix not allowed"
    ); // EP-ANYBUT-16
    assert!(!m(
        r#"{"a":[{"anything-but":{"equals-ignore-case":["initializing","stopped"]}}]}"#,
        r#"{"a":"Stopped"}"#
    )); // EP-ANYBUT-19
    assert_eq!(
        reason(r#"{"a":[{"anything-but":{"equals-ignore-case":123}}]}"#),
        "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."
    ); // EP-ANYBUT-20
    assert!(!m(
        r#"{"a":[{"anything-but":{"wildcard":["*/init/*","*/dir/*"]}}]}"#,
        r#"{"a":"dir/init/dir"}"#
    )); // EP-ANYBUT-21
    assert!(m(
        r#"{"a":[{"anything-but":{"wildcard":""}}]}"#,
        r#"{"a":"dir"}"#
    )); // EP-ANYBUT-22
    assert_eq!(
        reason(r#"{"a":[{"anything-but":{"exists":true}}]}"#),
        "Unsupported anything-but pattern: exists"
    ); // EP-ANYBUT-25
    assert_eq!(
        reason(r#"{"a":[{"anything-but":{}}]}"#),
        "Anything-But expression name not found"
    );
    assert_eq!(
        reason(r#"{"a":[{"anything-but":"a","x":1}]}"#),
        "Too many elements in numeric expression"
    ); // EP-ANYBUT-26
    assert_eq!(
        reason(r#"{"a":[{"anything-but":[1e400]}]}"#),
        "Cannot compare number : 1e400"
    ); // EP-ANYBUT-27
    assert!(m(r#"{"a":["x",{"anything-but":"x"}]}"#, r#"{"a":"x"}"#)); // EP-ANYBUT-28
    let p = r#"{"N":[{"numeric":[">",100]},{"anything-but":"101"}]}"#; // EP-ANYBUT-29
    assert!(m(p, r#"{"N":"42"}"#));
    assert!(!m(p, r#"{"N":"101"}"#));
    // Empty inner lists: rejected up front (README, divergences).
    assert_eq!(
        reason(r#"{"a":[{"anything-but":{"prefix":[]}}]}"#),
        "Empty arrays are not allowed"
    );
}

#[test]
fn numeric() {
    let p = r#"{"c":[{"numeric":[">",0,"<=",5]}]}"#;
    assert!(m(p, r#"{"c":3}"#)); // EP-NUM-1
    assert!(!m(p, r#"{"c":42}"#));
    assert!(m(p, r#"{"c":5}"#));
    assert!(!m(p, r#"{"c":0}"#));
    assert!(!m(r#"{"d":[{"numeric":["<",10]}]}"#, r#"{"d":10}"#)); // EP-NUM-2
    assert!(m(r#"{"x":[{"numeric":["=",3.018e2]}]}"#, r#"{"x":301.8}"#)); // EP-NUM-3
    assert!(m(r#"{"n":[{"numeric":[">",100]}]}"#, r#"{"n":101.0}"#)); // EP-NUM-4
    assert!(!m(r#"{"n":[{"numeric":[">",100]}]}"#, r#"{"n":"300"}"#)); // EP-NUM-6
    assert!(!m(r#"{"n":[{"numeric":[">",100]}]}"#, r#"{"n":null}"#)); // EP-NUM-7
    assert!(m(r#"{"a":[{"numeric":[">",5]}]}"#, r#"{"a":[1,10]}"#)); // EP-NUM-8
    assert_eq!(
        reason(r#"{"a":[{"numeric":10}]}"#),
        "Value of numeric must be an array."
    ); // EP-NUM-9
    assert_eq!(
        reason(r#"{"a":[{"numeric":[">",0,">",0]}]}"#),
        "Bad numeric range operator: >"
    ); // EP-NUM-10
    assert_eq!(
        reason(r#"{"a":[{"numeric":["=","5"]}]}"#),
        "Value of equals must be numeric"
    ); // EP-NUM-11
    assert_eq!(
        reason(r#"{"a":[{"numeric":["<",5,">",1]}]}"#),
        "Too many elements in numeric expression"
    ); // EP-NUM-12
    assert_eq!(
        reason(r#"{"a":[{"numeric":[]}]}"#),
        "Invalid member in numeric match: ]"
    ); // EP-NUM-13
    assert_eq!(
        reason(r#"{"a":[{"numeric":[5]}]}"#),
        "Invalid member in numeric match: 5"
    );
    assert_eq!(
        reason(r#"{"a":[{"numeric":["==",5]}]}"#),
        "Unrecognized numeric range operator: =="
    ); // EP-NUM-14
    assert_eq!(
        reason(r#"{"a":[{"numeric":[">",5,6]}]}"#),
        "Bad value in numeric range: 6"
    ); // EP-NUM-15
    assert_eq!(
        reason(r#"{"a":[{"numeric":[">",5,"<",10,">",1]}]}"#),
        "Too many terms in numeric range expression"
    ); // EP-NUM-16
    assert_eq!(
        reason(r#"{"a":[{"numeric":[">=",5,"<=",5]}]}"#),
        "Bottom must be less than top"
    ); // EP-NUM-17
    assert_eq!(
        reason(r#"{"a":[{"numeric":["=",5e-324]}]}"#),
        "Cannot compare number : 5e-324"
    ); // EP-NUM-19
    assert!(m(r#"{"a":[{"numeric":["<",6e9]}]}"#, r#"{"a":5.5e9}"#)); // EP-NUM-20
    assert!(!m(
        r#"{"a":[{"numeric":[">",0]}]}"#,
        r#"{"a":1.0000000000000001}"#
    )); // EP-NUM-21
    assert!(!m(r#"{"a":[{"numeric":[">",0]}]}"#, r#"{"a":1e400}"#));
}

#[test]
fn exists() {
    assert!(m(r#"{"a":[{"exists":true}]}"#, r#"{"a":null}"#)); // EP-EXISTS-5
    assert!(!m(r#"{"a":[{"exists":false}]}"#, r#"{"a":null}"#));
    assert!(m(r#"{"a":[{"exists":false}]}"#, r#"{"a":[]}"#)); // EP-EXISTS-6
    assert!(m(r#"{"p":[{"exists":false}]}"#, r#"{"p":{"S":"x"}}"#)); // EP-EXISTS-7
    assert!(m(r#"{"p":{"S":[{"exists":true}]}}"#, r#"{"p":{"S":"x"}}"#)); // EP-EXISTS-8
    assert!(m(r#"{"a":{"b":[{"exists":false}]}}"#, r#"{"a":"str"}"#)); // EP-EXISTS-9
    assert!(m(
        r#"{"d":{"au":{"id":[{"exists":true}]}}}"#,
        r#"{"d":{"au":[{"k":"v"},{"id":"x"}]}}"#
    )); // EP-EXISTS-10
    assert!(!m(
        r#"{"a":{"b":[{"exists":false}]}}"#,
        r#"{"a":[{"b":1},{"c":2}]}"#
    )); // EP-EXISTS-11
    let p = r#"{"h":{"S":[{"anything-but":["roses"]},{"exists":false}]}}"#; // EP-EXISTS-12
    assert!(m(p, r#"{"h":{"N":"789"}}"#));
    assert!(m(p, r#"{}"#));
    assert_eq!(
        reason(r#"{"x":[{"exists":"true"}]}"#),
        "exists match pattern must be either true or false."
    ); // EP-EXISTS-13
    assert!(m(r#"{"a":[{"exists":false}]}"#, r#"{}"#)); // EP-EXISTS-14
    // EP-EXISTS-15: absence is judged against the choices made for earlier paths.
    assert!(m(
        r#"{"a":{"b":[3],"c":[{"exists":false}]}}"#,
        r#"{"a":[{"b":3},{"b":1,"c":2}]}"#
    ));
    assert!(!m(
        r#"{"a":{"a":[{"exists":false}],"b":[3]}}"#,
        r#"{"a":[{"b":3},{"b":1,"a":2}]}"#
    ));
}

#[test]
fn cidr() {
    assert!(m(
        r#"{"ip":[{"cidr":"10.0.0.0/24"}]}"#,
        r#"{"ip":"10.0.0.255"}"#
    )); // EP-CIDR-1
    assert!(!m(r#"{"ip":[{"cidr":"10.0.0.0/24"}]}"#, r#"{"ip":123}"#)); // EP-CIDR-3
    assert_eq!(
        reason(r#"{"ip":[{"cidr":"bad-filter"}]}"#),
        "Malformed CIDR, one '/' required"
    ); // EP-CIDR-7
    assert_eq!(
        reason(r#"{"ip":[{"cidr":["bad-type"]}]}"#),
        "prefix match pattern must be a string"
    ); // EP-CIDR-11
    assert_eq!(
        reason(r#"{"ip":[{"cidr":"10.0.0.1/32"}]}"#),
        "IPv4 mask bits must be < 32"
    ); // EP-CIDR-12
}

#[test]
fn or_expansion() {
    assert!(m(r#"{"$or":[{"a":["1"]},{"b":["2"]}]}"#, r#"{"b":"2"}"#)); // EP-OR-3
    assert!(!m(r#"{"$or":[{"a":["1"]},{"b":["2"]}]}"#, r#"{"c":"2"}"#));
    let p = r#"{"a":["1"],"$or":[{"b":["1"]},{"c":["1"]}]}"#; // EP-OR-4
    assert!(m(p, r#"{"a":"1","c":"1"}"#));
    assert!(!m(p, r#"{"c":"1"}"#));
    assert!(m(
        r#"{"$or":[{"a":["1"],"$or":[{"x":["1"]},{"y":["1"]}]},{"b":["2"]}]}"#,
        r#"{"a":"1","y":"1"}"#
    )); // EP-OR-5
    assert_eq!(
        reason(r#"{"$or":[{"a":["1"]}]}"#),
        "There must have at least 2 Objects in $or relationship."
    ); // EP-OR-6
    assert_eq!(
        reason(r#"{"$or":{"a":["1"]}}"#),
        "It must be an Array followed with $or."
    ); // EP-OR-7
    assert_eq!(
        reason(r#"{"$or":[{"a":["1"]},["x"]]}"#),
        "Only JSON object is allowed in array of $or relationship."
    ); // EP-OR-8
    assert_eq!(
        reason(r#"{"$or":[{},{"b":["2"]}]}"#),
        "Empty objects are not allowed"
    ); // EP-OR-9
    assert_eq!(
        reason(r#"{"$or":[{"d":{"numeric":["1"]}},{"b":["2"]}]}"#),
        "numeric is Ruler reserved fieldName which cannot be used inside $or."
    ); // EP-OR-10
    assert!(m(r#"{"prefix":["1"]}"#, r#"{"prefix":"1"}"#)); // EP-OR-11
    assert_eq!(
        reason(r#"{"a":[{"$or":["x"]}]}"#),
        "Unrecognized match type $or"
    ); // EP-OR-12
    assert!(m(
        r#"{"a":["1"],"$or":[{"a":["2"]},{"b":["3"]}]}"#,
        r#"{"a":"2"}"#
    )); // EP-OR-13
    assert!(!m(
        r#"{"$or":[{"a":["2"]},{"b":["3"]}],"a":["1"]}"#,
        r#"{"a":"2"}"#
    )); // EP-OR-14
    // EP-OR-15: four sibling $or of 6 branches = 1296 combinations.
    let six = r#"{"$or":[{"f0":["v"]},{"f1":["v"]},{"f2":["v"]},{"f3":["v"]},{"f4":["v"]},{"f5":["v"]}]}"#;
    let p = format!(r#"{{"k0":{six},"k1":{six},"k2":{six},"k3":{six}}}"#);
    let e = Pattern::parse(&p).unwrap_err();
    assert_eq!(e.kind(), PatternErrorKind::TooManyCombinations);
    let p = format!(r#"{{"k0":{six},"k1":{six},"k2":{six}}}"#);
    assert_eq!(Pattern::parse(&p).unwrap().sub_rule_count(), 216);
}

#[test]
fn arrays() {
    let e = r#"{"a":[{"b":1,"c":2},{"b":3,"c":4}]}"#;
    assert!(!m(r#"{"a":{"b":[1],"c":[4]}}"#, e)); // EP-ARR-4
    assert!(m(r#"{"a":{"b":[1],"c":[2]}}"#, e)); // EP-ARR-5
    assert!(m(
        r#"{"a":{"b":[1]},"x":{"y":[9]}}"#,
        r#"{"a":[{"b":1}],"x":[{"y":9}]}"#
    )); // EP-ARR-6
    assert!(!m(
        r#"{"a":{"b":{"c":[1],"d":[2]}}}"#,
        r#"{"a":[{"b":[{"c":1},{"d":2}]}]}"#
    )); // EP-ARR-7
    assert!(m(
        r#"{"a":{"k":["x"],"b":{"c":[2]}}}"#,
        r#"{"a":[{"k":"x","b":[{"c":1},{"c":2}]},{"k":"y","b":[{"c":2}]}]}"#
    )); // EP-ARR-8
    assert!(m(
        r#"{"a":{"t":["x"],"v":["y"]}}"#,
        r#"{"a":{"t":["x","z"],"v":"y"}}"#
    )); // EP-ARR-9
    assert!(!m(
        r#"{"a":{"b":["x"],"c":[{"anything-but":"y"}]}}"#,
        r#"{"a":[{"b":"x","c":"y"},{"b":"z","c":"w"}]}"#
    )); // EP-ARR-10
}

#[test]
fn errors_carry_locations() {
    let e =
        Pattern::parse("{\n  \"detail\": {\"n\": [{\"numeric\": [\">\", \"x\"]}]}\n}").unwrap_err();
    assert_eq!(e.reason(), "Value of > must be numeric");
    assert_eq!(e.line(), 2);
    assert_eq!(e.pointer(), "/detail/n/0");
    assert_eq!(e.code(), "InvalidEventPatternException");
    assert!(
        e.to_string()
            .starts_with("Event pattern is not valid. Reason: ")
    );
}

#[test]
fn options_array_consistency_switch() {
    // EP-ARR-4 under the older, flattened behaviour.
    let off = Options::default().array_consistency(false);
    let p = Pattern::parse_with(r#"{"a":{"b":[1],"c":[4]}}"#, &off).unwrap();
    assert!(p.matches(r#"{"a":[{"b":1,"c":2},{"b":3,"c":4}]}"#).unwrap());
    let p = Pattern::parse_with(r#"{"a":{"b":[3],"c":[{"exists":false}]}}"#, &off).unwrap();
    assert!(!p.matches(r#"{"a":[{"b":3},{"b":1,"c":2}]}"#).unwrap());
}

#[test]
fn options_numeric_profiles() {
    // EP-NUM-20 and EP-NUMEQ-7 under the legacy profile (spec §4.1).
    let legacy = Options::default().numeric_profile(crate::NumericProfile::Legacy5e9);
    let e = Pattern::parse_with(r#"{"a":[{"numeric":["<",6e9]}]}"#, &legacy).unwrap_err();
    assert_eq!(
        e.reason(),
        "Value must be between -5.0E9 and 5.0E9, inclusive"
    );
    let p = Pattern::parse_with(r#"{"a":[123456789012]}"#, &legacy).unwrap();
    assert!(!p.matches(r#"{"a":123456789012.0}"#).unwrap());
    assert!(p.matches(r#"{"a":123456789012}"#).unwrap());
    let p = Pattern::parse_with(r#"{"a":[{"numeric":["=",0]}]}"#, &legacy).unwrap();
    assert!(p.matches(r#"{"a":0.0000001}"#).unwrap());
    let p = Pattern::parse_with(r#"{"a":[{"numeric":[">",1.5,"<",2]}]}"#, &legacy).unwrap();
    assert!(p.matches(r#"{"a":1.75}"#).unwrap());
    assert!(!p.matches(r#"{"a":1.5000001}"#).unwrap());
}

#[test]
fn options_unicode_case_quirks_switch() {
    let off = Options::default().unicode_case_quirks(false);
    let p = Pattern::parse_with(r#"{"a":[{"equals-ignore-case":"ǅ"}]}"#, &off).unwrap();
    assert!(p.matches(r#"{"a":"ǅ"}"#).unwrap());
    let p = Pattern::parse_with(
        r#"{"a":[{"anything-but":{"equals-ignore-case":"STRASSE"}}]}"#,
        &off,
    )
    .unwrap();
    assert!(!p.matches(r#"{"a":"strasse"}"#).unwrap());
}
